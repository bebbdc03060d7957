//! libFuzzer target: see `assay_fuzz::coverage`.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: assay_fuzz::coverage::Input| assay_fuzz::coverage::check(
	&input
));
