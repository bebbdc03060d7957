//! The Assay runtime with `spec_version` one higher (feature `upgrade-test`), built to
//! wasm only. `WASM_BINARY` is what zombienet's `0003-runtime-upgrade` test sets through
//! `sudo.sudoUncheckedWeight(system.setCode)`; `zombienet/run-tests.sh` passes the file
//! `$CARGO_TARGET_DIR/release/wbuild/assay-runtime-upgrade-test/assay_runtime_upgrade_test.compact.compressed.wasm`.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(target_arch = "wasm32")]
pub use assay_runtime::*;

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
