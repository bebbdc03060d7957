//! # assay-radio
//!
//! The coverage maths that the chain and the device agent share, in integers, so that both
//! run one implementation:
//!
//! - [`fspl`]: free-space path loss and the strongest RSSI a witness can have heard;
//! - [`geodesy`]: H3 cell centres and great-circle distances without floats;
//! - [`features`]: the fraud features of a witness report that passed the checks, and the
//!   peer history they read;
//! - [`limits`]: the distance rules of the witness checks.
//!
//! `no_std`; it depends on `h3o` and `parity-scale-codec` only (no polkadot-sdk), so the
//! device agent, its own workspace, links it by path as the runtime does.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod features;
pub mod fspl;
pub mod geodesy;

/// The distance rules of the witness checks (DESIGN §4.5): the pallet's checks apply them,
/// the device agent lays out and simulates fleets by them.
pub mod limits {
	use h3o::Resolution;

	/// The fewest resolution-11 grid steps between beaconer and witness.
	pub const MIN_GRID_DISTANCE: u32 = 8;

	/// The least distance between cell centres, in metres, where H3 cannot measure the
	/// grid distance: 8 resolution-11 steps are about 345 m (43 m between neighbouring
	/// centres); 500 m leaves room for H3's distortion, so a pair 7 steps apart cannot
	/// pass.
	pub const MIN_FALLBACK_DISTANCE_M: u64 = 500;

	/// The resolution the minimum distance is measured at.
	pub const GRID_DISTANCE_RESOLUTION: Resolution = Resolution::Eleven;

	/// The farthest a witness may be: 100 km.
	pub const MAX_DISTANCE_M: u64 = 100_000;
}
