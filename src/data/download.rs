//! Fetching the official CIFAR-10 archive (native only), the way torchvision's `download=True`
//! does: `make data` downloads `cifar-10-binary.tar.gz` from its canonical address when no
//! other source is there, into a cache folder, and checks it against the published MD5.
//!
//! The body is streamed into a hidden temporary file beside the cache entry while its MD5 is
//! computed; the file is renamed into place only when the transfer is complete and the digest
//! matches. Any failure (refused connection, HTTP error, a server that closes early, a stalled
//! transfer, a wrong digest) removes the temporary file, so the cache never holds a partial or
//! unverified archive, and the error names the address, the expected MD5 and what to do next.
//!
//! HTTP is `ureq` (rustls for `https://`); it honours `HTTPS_PROXY` / `HTTP_PROXY`.

use super::error::{DataError, DataErrorKind};
use super::md5::Md5;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The canonical address of the official archive (the CIFAR-10 page's "binary version").
pub const CIFAR_URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/// The file name of the official archive.
pub const CIFAR_FILE: &str = "cifar-10-binary.tar.gz";
/// The published size of the official archive, for the progress report when a server sends
/// no `Content-Length`.
pub const CIFAR_BYTES: u64 = 170_052_171;
/// A read that brings no byte for this long ends the transfer with an error.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Where downloads are kept: `$NNBOOK_CACHE`, else `$XDG_CACHE_HOME/nnbook`, else
/// `~/.cache/nnbook`, else `.cache/nnbook` in the current folder.
pub fn cache_dir() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("NNBOOK_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("nnbook");
    }
    match var("HOME") {
        Some(home) => PathBuf::from(home).join(".cache/nnbook"),
        None => PathBuf::from(".cache/nnbook"),
    }
}

/// The MD5 of the file at `path` as 32 lowercase hex digits, read in 1 MiB pieces.
///
/// # Errors
/// `Io` naming the file when it cannot be read.
pub fn md5_file(path: &Path) -> Result<String, DataError> {
    let name = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| DataError::io(&name, &e))?;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| DataError::io(&name, &e))?;
        if n == 0 {
            return Ok(h.hex_digest());
        }
        h.update(&buf[..n]);
    }
}

/// How far a transfer has come: bytes received and, when known, the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes received so far.
    pub done: u64,
    /// The body's length from `Content-Length`, if the server sent one.
    pub total: Option<u64>,
}

/// What [`fetch_cached`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The cache already held a file with the expected MD5.
    Cached,
    /// The file was downloaded (and verified) now.
    Downloaded,
}

/// What to do next after a failed download of `url` (expected digest `md5`), for the errors;
/// `retry` for failures a second try may not meet (a broken or stalled transfer, no answer).
fn next_steps(url: &str, md5: &str, retry: bool) -> String {
    let again = if retry {
        "run `make data` again to retry (nothing was kept); or "
    } else {
        ""
    };
    let mirror = if url == CIFAR_URL {
        "set NNBOOK_CIFAR_URL to a mirror of it (and NNBOOK_CIFAR_MD5 if its digest differs)"
            .to_string()
    } else {
        format!(
            "check NNBOOK_CIFAR_URL ({url}) and NNBOOK_CIFAR_MD5, or unset them to use {CIFAR_URL}"
        )
    };
    format!(
        "{again}download {CIFAR_FILE} yourself (from {CIFAR_URL}; expected MD5 {md5}) and set \
         NNBOOK_CIFAR_ARCHIVE=/path/to/{CIFAR_FILE}; or {mirror}; or point NNBOOK_DATA_SRC at a \
         folder of the sprite PNGs"
    )
}

fn download_error(url: &str, md5: &str, message: String, retry: bool) -> DataError {
    DataError::in_file(url, DataErrorKind::Download { message })
        .with_hint(next_steps(url, md5, retry))
}

/// Returns at once when `dest` holds a file whose MD5 is `md5`; otherwise downloads `url` to
/// `dest` with [`fetch`] (replacing a cached file with another digest).
///
/// # Errors
/// Those of [`fetch`].
pub fn fetch_cached(
    url: &str,
    md5: &str,
    dest: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fetched, DataError> {
    if dest.is_file() && md5_file(dest)? == md5 {
        return Ok(Fetched::Cached);
    }
    fetch(url, md5, dest, progress)?;
    Ok(Fetched::Downloaded)
}

/// Downloads `url` to `dest` (creating its folder), calling `progress` as bytes arrive, and
/// keeps it only when the body is complete and its MD5 is `md5`.
///
/// # Errors
/// With `file` set to `url` and a hint on what to do next: `Download` when the address cannot
/// be reached, answers with an HTTP error status, ends before its `Content-Length`, or stalls
/// for [`STALL_TIMEOUT`]; `ChecksumMismatch` when the complete body has another digest; `Io`
/// naming the file when the cache cannot be written. In every case nothing is left at `dest`
/// or beside it.
pub fn fetch(
    url: &str,
    md5: &str,
    dest: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), DataError> {
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            DataError::io(&dir.display().to_string(), &e)
                .with_hint("set NNBOOK_CACHE to a folder you can write to")
        })?;
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| CIFAR_FILE.to_string());
    let tmp = dest.with_file_name(format!(".{name}.part-{}", std::process::id()));
    let result = download_to(url, md5, &tmp, progress).and_then(|()| {
        std::fs::rename(&tmp, dest).map_err(|e| DataError::io(&dest.display().to_string(), &e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn download_to(
    url: &str,
    md5: &str,
    tmp: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), DataError> {
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(STALL_TIMEOUT))
        // The archive is already gzip: take the bytes exactly as served.
        .accept_encoding("")
        .user_agent(concat!("nnbook/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent: ureq::Agent = config.into();
    let mut response = agent.get(url).call().map_err(|e| {
        let (message, retry) = match e {
            ureq::Error::StatusCode(code) => {
                (format!("the server answered HTTP {code}"), code >= 500)
            }
            other => (format!("cannot fetch it: {other}"), true),
        };
        download_error(url, md5, message, retry)
    })?;
    let total = response.body().content_length();
    let tmp_name = tmp.display().to_string();
    let mut file = std::fs::File::create(tmp).map_err(|e| {
        DataError::io(&tmp_name, &e).with_hint("set NNBOOK_CACHE to a folder you can write to")
    })?;
    let mut reader = response.body_mut().as_reader();
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut done = 0u64;
    progress(Progress { done, total });
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
                return Err(download_error(
                    url,
                    md5,
                    format!("the transfer broke off after {done}{of} bytes: {e}"),
                    true,
                ));
            }
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| DataError::io(&tmp_name, &e))?;
        done += n as u64;
        progress(Progress { done, total });
    }
    if let Some(t) = total.filter(|&t| t != done) {
        return Err(download_error(
            url,
            md5,
            format!("the transfer ended after {done} of {t} bytes"),
            true,
        ));
    }
    file.sync_all().map_err(|e| DataError::io(&tmp_name, &e))?;
    let actual = hasher.hex_digest();
    if actual != md5 {
        return Err(DataError::in_file(
            url,
            DataErrorKind::ChecksumMismatch {
                expected: md5.to_string(),
                actual,
            },
        )
        .with_hint(format!(
            "the {done} bytes served there are not the expected archive, so nothing was kept; {}",
            next_steps(url, md5, false)
        )));
    }
    Ok(())
}

/// A progress bar on stderr for [`fetch`]: redrawn in place (at most 10 times a second) on a
/// terminal, one line per tenth of the transfer otherwise (logs stay short).
pub struct ProgressBar {
    what: String,
    start: Instant,
    last_draw: Option<Instant>,
    last_tenth: u64,
    tty: bool,
    /// A redrawn line is on the terminal without its newline yet.
    open_line: bool,
}

impl ProgressBar {
    /// A bar labelled `what` (e.g. the file name).
    pub fn new(what: &str) -> ProgressBar {
        ProgressBar {
            what: what.to_string(),
            start: Instant::now(),
            last_draw: None,
            last_tenth: 0,
            tty: std::io::stderr().is_terminal(),
            open_line: false,
        }
    }

    /// Ends a line still being redrawn (a transfer without `Content-Length` never says it is
    /// finished), so the next output starts on a line of its own.
    pub fn finish(&mut self) {
        if self.open_line {
            let _ = writeln!(std::io::stderr());
            self.open_line = false;
        }
    }

    /// Shows `p`.
    pub fn update(&mut self, p: Progress) {
        let total = p.total.unwrap_or(CIFAR_BYTES).max(1);
        let frac = (p.done as f64 / total as f64).min(1.0);
        let finished = p.total == Some(p.done);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let mb = |b: u64| b as f64 / 1e6;
        let line = format!(
            "{}: {:>3.0} % {:.1} of {}{:.1} MB, {:.1} MB/s",
            self.what,
            frac * 100.0,
            mb(p.done),
            if p.total.is_some() { "" } else { "~" },
            mb(total),
            mb(p.done) / secs
        );
        let mut err = std::io::stderr().lock();
        if self.tty {
            let due = self
                .last_draw
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
            if due || finished {
                let width = 30;
                let filled = (frac * width as f64) as usize;
                let bar = format!("{}{}", "#".repeat(filled), ".".repeat(width - filled));
                let _ = write!(err, "\r[{bar}] {line}  ");
                self.open_line = !finished;
                if finished {
                    let _ = writeln!(err);
                }
                self.last_draw = Some(Instant::now());
            }
        } else {
            let tenth = (frac * 10.0) as u64;
            if self.last_draw.is_none() || tenth > self.last_tenth {
                let _ = writeln!(err, "{line}");
                self.last_tenth = tenth;
                self.last_draw = Some(Instant::now());
            }
        }
    }
}
