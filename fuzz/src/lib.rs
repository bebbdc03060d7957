//! Fuzz targets for Assay, shared by the libFuzzer binaries (`fuzz_targets/`, built by
//! `scripts/fuzz.sh` with coverage instrumentation on the stable toolchain) and by the
//! corpus-replay tests (`cargo test -p assay-fuzz`), which run every input kept under
//! `fuzz/corpus/` through the same checks without the fuzzer.
//!
//! Each target decodes its input with `arbitrary` into a structured case, runs the code
//! under test and asserts its invariants; a panic (including an arithmetic overflow, as
//! the fuzz build turns on overflow checks) is a finding.

pub mod clearing;
pub mod coverage;
pub mod device_reports;

use arbitrary::{Arbitrary, Unstructured};

/// Decodes `bytes` as libFuzzer's `fuzz_target!` does for a typed input; `None` when the
/// bytes do not make a case (the fuzzer skips those too).
pub fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
	T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

#[cfg(test)]
mod replay {
	use std::path::PathBuf;

	/// Every file of `fuzz/corpus/<target>`, sorted (there must be some).
	fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
		let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
		let mut files: Vec<_> = std::fs::read_dir(&dir)
			.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
			.map(|entry| entry.unwrap().path())
			.collect();
		files.sort();
		assert!(!files.is_empty(), "no corpus in {}", dir.display());
		files
			.into_iter()
			.map(|p| {
				(p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
			})
			.collect()
	}

	/// Replays a target's corpus; returns how many inputs made a case.
	fn replay(target: &str, check: impl Fn(&[u8]) -> bool + std::panic::RefUnwindSafe) -> usize {
		let mut cases = 0;
		for (name, bytes) in corpus(target) {
			let result = std::panic::catch_unwind(|| check(&bytes));
			match result {
				Ok(decoded) => cases += usize::from(decoded),
				Err(_) => panic!("{target}: corpus input {name} fails its checks"),
			}
		}
		cases
	}

	#[test]
	fn clearing_corpus_passes() {
		let cases = replay("clearing", |b| {
			crate::decode::<crate::clearing::Input>(b)
				.map(|i| crate::clearing::check(&i))
				.is_some()
		});
		assert!(cases > 0);
	}

	#[test]
	fn coverage_corpus_passes() {
		let cases = replay("coverage", |b| {
			crate::decode::<crate::coverage::Input>(b)
				.map(|i| crate::coverage::check(&i))
				.is_some()
		});
		assert!(cases > 0);
	}

	#[test]
	fn device_reports_corpus_passes() {
		let cases = replay("device_reports", |b| {
			crate::decode::<crate::device_reports::Input>(b)
				.map(|i| crate::device_reports::check(&i))
				.is_some()
		});
		assert!(cases > 0);
	}
}
