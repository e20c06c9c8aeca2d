//! The native CLI: `nnbook info | golden FILE... | compat DIR | data ... | train ... | bench ...`.

#[cfg(not(target_arch = "wasm32"))]
use std::process::ExitCode;

/// The CLI reads and writes files: on wasm32 (where `cargo test --target wasm32` builds every
/// target) it is an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn usage() -> ExitCode {
    eprintln!(
        "usage: nnbook <info | golden FILE... | compat DIR [--data DIR] | data [--help] | train [--help] | bench [--help]>"
    );
    ExitCode::from(2)
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("info") => {
            println!(
                "{}",
                serde_json::to_string_pretty(&nnbook::build_info()).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Some("golden") if args.len() > 1 => {
            let paths: Vec<std::path::PathBuf> = args[1..].iter().map(Into::into).collect();
            let summary = nnbook::golden::run_files(&paths, &mut std::io::stdout().lock());
            if summary.is_success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("compat") if args.len() > 1 => compat(&args[1..]),
        Some("data") => match nnbook::data::make::run_cli(&args[1..]) {
            Ok(None) => ExitCode::SUCCESS,
            // The data's first use: the STN lesson's digit CNN, trained here so the figure
            // is usable at once (deterministic: seed 0).
            Ok(Some(o)) => {
                match nnbook::lessons::pretrained::ensure_digits_cnn(
                    &o.out, 640, 64, 0, 1e-3, o.force,
                ) {
                    Ok(report) => {
                        print!("{report}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("nnbook data: {}", e.to_python_string());
                        ExitCode::FAILURE
                    }
                }
            }
            Err(e) => {
                eprintln!("nnbook data: {e}");
                ExitCode::FAILURE
            }
        },
        Some("train") => {
            let run = nnbook::train_cli::TrainOptions::from_args(&args[1..])
                .and_then(|o| nnbook::train_cli::run(&o));
            match run {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("nnbook train: {}", e.to_python_string());
                    ExitCode::FAILURE
                }
            }
        }
        Some("bench") if args.iter().any(|a| a == "--help" || a == "-h") => {
            println!("{}", nnbook::bench_cli::USAGE);
            ExitCode::SUCCESS
        }
        Some("bench") => {
            let run = nnbook::bench_cli::BenchOptions::from_args(&args[1..])
                .and_then(|o| nnbook::bench_cli::run(&o));
            match run {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("nnbook bench: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}

/// `nnbook compat DIR [--data DIR]`: runs the compatibility corpus (src/compat) and prints the
/// report. It succeeds whatever the pass rate (the ratchet is tests/compat_corpus.rs); it fails
/// only when the corpus cannot be read or a cell panicked.
#[cfg(not(target_arch = "wasm32"))]
fn compat(args: &[String]) -> ExitCode {
    let data = match args {
        [_, flag, dir] if flag == "--data" => std::path::PathBuf::from(dir),
        [_] => std::path::PathBuf::from("www/data"),
        _ => return usage(),
    };
    match nnbook::compat::run_corpus(std::path::Path::new(&args[0]), &data) {
        Ok(files) => {
            let report = nnbook::compat::report::Report { files: &files };
            print!("{report}");
            if report.totals().panics > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("nnbook compat: {e}");
            ExitCode::FAILURE
        }
    }
}
