//! # assay-wire
//!
//! Every byte layout that crosses Assay's boundary, in one place: what makers and devices
//! sign, the domain tags that keep those messages apart, the indices of device kinds and
//! regions, the LoRaWAN channel plans, the transaction-pool codes a refused report carries,
//! and the envelope of a feeless general transaction. The pallets, the runtime, the device
//! agent (`clients/device-agent`) and the JS helpers (`clients/e2e/lib`) all build their
//! bytes from here; `vectors.json` pins them, checked by `tests/vectors.rs` in Rust and by
//! `clients/e2e/tests/wire.test.mjs` in JS.
//!
//! - [`tags`]: every domain tag (signed messages, pool tags, seeds and hashes).
//! - [`devices`]: [`DeviceKind`], maker attestation, registration consent, the two report
//!   envelopes and the heartbeat.
//! - [`coverage`]: [`Region`] and its channel plan, beacons, witnesses, reveals, relayed
//!   witness batches, and the preimages of the beacon payload and witness commitment.
//! - [`energy`]: meter readings.
//! - [`pool`]: report priority and longevity, and the `InvalidTransaction::Custom` codes.
//! - [`extrinsic`]: the general transaction (extrinsic v5, no signer) and the runtime's
//!   transaction-extension layout.
//!
//! No cryptography here: a message is bytes; signing and hashing are the caller's.
//! Depends on parity-scale-codec only (`scale-info` and `serde` add derives for the runtime).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod coverage;
pub mod devices;
pub mod energy;
pub mod extrinsic;
pub mod pool;
pub mod tags;

pub use coverage::{Region, RelayedWitness};
pub use devices::DeviceKind;
