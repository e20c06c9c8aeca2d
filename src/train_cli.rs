//! `nnbook train`: trains the CIFAR-10 model natively exactly as the browser worker does
//! (same [`crate::train::Trainer`], same loader, same seed rules), printing the loss of every
//! step and the test accuracy of every epoch. Native only (reads files).

use crate::data::{Augment, DataLoader, Dataset, LoaderConfig, Normalize};
use crate::error::{Error, Result};
use crate::train::TrainConfig;
use std::time::Instant;

/// Options of `nnbook train`.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub config: TrainConfig,
    pub epochs: usize,
    pub batch_size: usize,
    /// Use only the first `train_size` training images (0 = all).
    pub train_size: usize,
    pub augment: bool,
    pub normalize: bool,
    pub data_dir: String,
    /// Stop after this many steps in all (0 = no limit), for quick checks.
    pub max_steps: usize,
    /// Print every step's loss (else every 50th).
    pub verbose: bool,
}

fn usage() -> Error {
    Error::value(
        "train",
        "usage: nnbook train [--epochs N] [--batch N] [--lr X] [--optimizer sgd|adam] [--momentum X] \
         [--weight-decay X] [--seed N] [--relu] [--augment] [--normalize] [--train-size N] \
         [--max-steps N] [--data DIR] [--verbose]",
    )
}

impl TrainOptions {
    /// Parses the CLI's flags (defaults: 1 epoch, batch 64, SGD lr 0.01, seed 0, www/data).
    pub fn from_args(args: &[String]) -> Result<TrainOptions> {
        let mut o = TrainOptions {
            config: TrainConfig::default(),
            epochs: 1,
            batch_size: 64,
            train_size: 0,
            augment: false,
            normalize: false,
            data_dir: "www/data".into(),
            max_steps: 0,
            verbose: false,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().cloned().ok_or_else(usage);
            fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T> {
                v.parse()
                    .map_err(|_| Error::value("train", format!("{flag}: cannot parse '{v}'")))
            }
            match flag.as_str() {
                "--epochs" => o.epochs = num(flag, value()?)?,
                "--batch" => o.batch_size = num(flag, value()?)?,
                "--lr" => o.config.lr = num(flag, value()?)?,
                "--momentum" => o.config.momentum = num(flag, value()?)?,
                "--weight-decay" => o.config.weight_decay = num(flag, value()?)?,
                "--seed" => o.config.seed = num(flag, value()?)?,
                "--optimizer" => o.config.optimizer = value()?,
                "--train-size" => o.train_size = num(flag, value()?)?,
                "--max-steps" => o.max_steps = num(flag, value()?)?,
                "--data" => o.data_dir = value()?,
                "--relu" => o.config.relu = true,
                "--augment" => o.augment = true,
                "--normalize" => o.normalize = true,
                "--verbose" => o.verbose = true,
                _ => return Err(usage()),
            }
        }
        if o.batch_size == 0 || o.epochs == 0 {
            return Err(Error::value(
                "train",
                "--batch and --epochs must be at least 1",
            ));
        }
        Ok(o)
    }
}

fn load(dir: &str, name: &str) -> Result<Dataset> {
    let path = format!("{dir}/{name}");
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::value("train", format!("{path}: {e} (run `make data` first)")))?;
    Ok(Dataset::decode(&bytes, &path)?)
}

/// Runs the training loop, printing progress; returns the final test accuracy in `[0, 1]`.
pub fn run(o: &TrainOptions) -> Result<f64> {
    let mut train = load(&o.data_dir, "cifar10-train.nnbd")?;
    let test = load(&o.data_dir, "cifar10-test.nnbd")?;
    if o.train_size > 0 && o.train_size < train.len() {
        let idx: Vec<usize> = (0..o.train_size).collect();
        train = train.select("cifar10-train", &idx)?;
    }
    let normalize = o.normalize.then(Normalize::cifar10);
    let mut trainer = o.config.build_cifar10_trainer()?;
    println!(
        "train: {} training images, {} test images, batch {}, {} epochs, {:?}",
        train.len(),
        test.len(),
        o.batch_size,
        o.epochs,
        o.config
    );
    let start = Instant::now();
    let mut step = 0usize;
    let mut accuracy = 0.0;
    for epoch in 0..o.epochs {
        let cfg = LoaderConfig::new(o.batch_size)
            .with_seed(o.config.seed)
            .with_augment(if o.augment {
                Augment::CIFAR10
            } else {
                Augment::NONE
            })
            .with_normalize(normalize.clone());
        let mut loader = DataLoader::new(&train, cfg)?;
        loader.set_epoch(epoch as u64);
        let mut sum = 0.0f64;
        let mut count = 0usize;
        while let Some(batch) = loader.next_batch() {
            let batch = batch?;
            let loss = trainer.train_step(&batch.x, &batch.labels)?;
            sum += loss as f64;
            count += 1;
            step += 1;
            if o.verbose || step.is_multiple_of(50) {
                println!("step {step} loss {loss:.6}");
            }
            loader.recycle(batch);
            if o.max_steps > 0 && step >= o.max_steps {
                break;
            }
        }
        let eval_cfg = LoaderConfig::new(crate::training::evaluate::EVAL_BATCH)
            .with_shuffle(false)
            .with_normalize(normalize.clone());
        let (mut correct, mut total) = (0usize, 0usize);
        for batch in DataLoader::new(&test, eval_cfg)? {
            let batch = batch?;
            let r = trainer.evaluate(&batch.x, &batch.labels)?;
            correct += r.correct;
            total += r.count;
        }
        accuracy = correct as f64 / total.max(1) as f64;
        let secs = start.elapsed().as_secs_f64();
        println!(
            "epoch {} train_loss {:.4} test_acc {:.4} elapsed {:.1}s ({:.0} img/s)",
            epoch + 1,
            sum / count.max(1) as f64,
            accuracy,
            secs,
            (step * o.batch_size) as f64 / secs
        );
        if o.max_steps > 0 && step >= o.max_steps {
            break;
        }
    }
    Ok(accuracy)
}
