//! # assay-radio
//!
//! The coverage maths that the chain and the device agent share, in integers, so that both
//! run one implementation:
//!
//! - [`fspl`]: free-space path loss and the strongest RSSI a witness can have heard;
//! - [`geodesy`]: H3 cell centres and great-circle distances without floats;
//! - [`features`]: the fraud features of a witness report that passed the checks, and the
//!   peer history they read.
//!
//! `no_std`; it depends on `h3o` and `parity-scale-codec` only (no polkadot-sdk), so the
//! device agent, its own workspace, links it by path as the runtime does.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod features;
pub mod fspl;
pub mod geodesy;
