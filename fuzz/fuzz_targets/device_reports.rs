//! libFuzzer target: see `assay_fuzz::device_reports`.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: assay_fuzz::device_reports::Input| {
	assay_fuzz::device_reports::check(&input)
});
