//! Assay's shared primitives: the few types and traits that several pallets and the node
//! agree on. Pallets never import each other's storage; they meet here, through traits that
//! the runtime wires together.
//!
//! - [`randomness`]: the one chain-randomness helper (DESIGN §2).
//! - [`earnings`]: the one earnings ledger interface (DESIGN §8).
//! - [`devices`]: what pallets need from the device registry (lookups, device-signed
//!   reports, location hooks).
//! - [`inference_key`]: the `infr` application key the inference worker signs with.
//! - [`storage_checks`]: the decode checks every pallet's `do_try_state` runs.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(any(feature = "runtime-benchmarks", feature = "testing"))]
pub mod bench_keys;
pub mod devices;
pub mod earnings;
pub mod inference_key;
pub mod randomness;
pub mod storage_checks;
#[cfg(feature = "testing")]
pub mod testing;

pub use devices::{
	pool, pool_rejection, DeviceClaims, DeviceKind, DeviceRegistry, DeviceReports, DeviceStatus,
	Location, OnLocationChanged, ReportRejection,
};
pub use earnings::{EarningSource, Earnings, EarningsRecord};
pub use randomness::{derive_seed, keep_lowest, rank, would_keep, SeedSource};
