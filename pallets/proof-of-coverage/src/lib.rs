//! # pallet-proof-of-coverage (in progress)
//!
//! Proof of coverage for Assay (DESIGN §4, issue 6). This crate holds, so far, the pure,
//! storage-free maths the pallet's checks and rewards are built on — each a small function
//! with unit and property tests, integer or fixed point only (no floats in consensus code):
//!
//! - [`checks`]: the witness checks of DESIGN §4.5, each a named function with a typed
//!   reason, and `verify_witness` applying them in order; payload, channel and the
//!   commitment that binds a witness report to its witness.
//! - [`fspl`]: free-space path loss in milli-dB from an integer log2, and the RSSI limit of
//!   a witness.
//! - [`reward_units`]: HIP-15 beaconer and witness reward units (N = 4, r = 0.8, cap 2).
//! - [`density`]: the HIP-17 limit function and hex-density scaling with the HIP-104
//!   parameters over H3 cells.
//!
//! - [`selection`]: at most 14 rewarded witnesses, by lowest
//!   `blake2_256(R ‖ beacon ‖ witness)`.
//! - [`epoch_rewards`]: an epoch's emission split 20 % / 80 % and pro rata to scaled units,
//!   with the rounding remainder reported.
//!
//! The pallet itself (beacons, witnesses, reveal, verification, selection, epochs) is not
//! written yet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod checks;
pub mod density;
pub mod epoch_rewards;
pub mod fspl;
pub mod reward_units;
pub mod selection;
