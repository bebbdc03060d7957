//! libFuzzer target: see `assay_fuzz::clearing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: assay_fuzz::clearing::Input| assay_fuzz::clearing::check(
	&input
));
