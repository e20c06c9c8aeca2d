//! MD5 (RFC 1321), only to check a user-provided `cifar-10-binary.tar.gz` against its published
//! digest ([`super::cifar_bin::ARCHIVE_MD5`]). Written here from the RFC rather than pulled in
//! as a crate: ~60 lines, works unchanged in wasm (the browser drop-in can check the archive
//! too), and is tested against the RFC's test suite. Not for security.

/// Per-round left-rotation amounts (RFC 1321, 3.4), four per round.
const SHIFTS: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// An incremental MD5 hasher: `update` with the bytes in order, then `hex_digest`.
#[derive(Clone, Debug)]
pub struct Md5 {
    state: [u32; 4],
    pending: Vec<u8>,
    length: u64,
    k: [u32; 64],
}

impl Default for Md5 {
    fn default() -> Self {
        Md5::new()
    }
}

impl Md5 {
    /// A hasher over no bytes yet.
    pub fn new() -> Md5 {
        // K[i] = floor(|sin(i + 1)| * 2^32), the RFC's table T.
        let k = std::array::from_fn(|i| (((i + 1) as f64).sin().abs() * 4294967296.0) as u32);
        Md5 {
            state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476],
            pending: Vec::with_capacity(64),
            length: 0,
            k,
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        if !self.pending.is_empty() {
            let take = (64 - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < 64 {
                return;
            }
            let block: [u8; 64] = std::array::from_fn(|i| self.pending[i]);
            self.block(&block);
            self.pending.clear();
        }
        let mut chunks = data.chunks_exact(64);
        for c in &mut chunks {
            let block: [u8; 64] = std::array::from_fn(|i| c[i]);
            self.block(&block);
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    /// The digest as 32 lowercase hex digits.
    pub fn hex_digest(mut self) -> String {
        let bits = self.length.wrapping_mul(8);
        let mut tail = vec![0x80u8];
        while (self.pending.len() + tail.len()) % 64 != 56 {
            tail.push(0);
        }
        tail.extend_from_slice(&bits.to_le_bytes());
        let length = self.length;
        self.update(&tail);
        self.length = length;
        self.state
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn block(&mut self, block: &[u8; 64]) {
        let m: [u32; 16] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ])
        });
        let [mut a, mut b, mut c, mut d] = self.state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(self.k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(SHIFTS[i / 16][i % 4]));
        }
        for (s, v) in self.state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
}

/// The MD5 of `data` as 32 lowercase hex digits.
pub fn md5_hex(data: &[u8]) -> String {
    let mut h = Md5::new();
    h.update(data);
    h.hex_digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1321_test_suite() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(md5_hex(input.as_bytes()), want, "{input:?}");
        }
        // Split updates agree with one update.
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut h = Md5::new();
        for part in data.chunks(37) {
            h.update(part);
        }
        assert_eq!(h.hex_digest(), md5_hex(&data));
    }
}
