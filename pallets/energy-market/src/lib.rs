//! # pallet-energy-market (in progress)
//!
//! Energy trading for Assay (DESIGN §7, issue 7). This crate holds, so far, the pure,
//! storage-free maths the pallet will be built on, integer only:
//!
//! - [`clearing`]: the uniform-price double auction with k = ½ — volume, price inside
//!   [L, U], complete fills above the marginal level and pro-rata fills (largest remainder,
//!   ties by lower order id) at it.
//! - [`settlement`]: a slot's zero-sum settlement — trades at the clearing price (buyers
//!   rounded up, sellers down, dust to the grid) and deviations from the commitments at the
//!   zone's grid prices, with the grid account as counterparty.
//!
//! The pallet itself (zones, meters, orders and collateral, clearing at gate closure,
//! device-signed readings, settlement with debts) is not written yet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod clearing;
pub mod settlement;
