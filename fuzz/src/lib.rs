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

	/// Replays a target's corpus through its check; at least one input must make a case.
	fn replay<I: for<'a> arbitrary::Arbitrary<'a>>(target: &str, check: fn(&I)) {
		let mut cases = 0;
		for (name, bytes) in corpus(target) {
			let Some(input) = crate::decode::<I>(&bytes) else { continue };
			cases += 1;
			let input = std::panic::AssertUnwindSafe(input);
			if std::panic::catch_unwind(|| check(&input)).is_err() {
				panic!("{target}: corpus input {name} fails its checks");
			}
		}
		assert!(cases > 0, "{target}: no corpus input makes a case");
	}

	#[test]
	fn clearing_corpus_passes() {
		replay("clearing", crate::clearing::check);
	}

	#[test]
	fn coverage_corpus_passes() {
		replay("coverage", crate::coverage::check);
	}

	#[test]
	fn device_reports_corpus_passes() {
		replay("device_reports", crate::device_reports::check);
	}
}
