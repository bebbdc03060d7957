//! How the transaction pool treats device reports, and the `InvalidTransaction::Custom`
//! codes a refused report carries (stable numbers: clients match on them).

/// Priority of every device report in the pool: the lowest, below every fee-paying
/// transaction (whose priority is at least 1 with no tip) and so below operational ones
/// and the validators' off-chain-worker transactions; all reports are equal among
/// themselves. Reports are free: a flood of them must wait, not push paying work out.
/// Their share of a block is bounded too (the registry's `ReportShare`).
pub const REPORT_PRIORITY: u64 = 0;

/// How many blocks a nonce report stays valid in the pool.
pub const REPORT_LONGEVITY: u64 = 64;

/// Codes of the device registry's report rejections (the one report mechanism): unknown
/// device 10, device not Active 11, rate limited 13. A stale nonce is
/// `InvalidTransaction::Stale` and a bad signature `InvalidTransaction::BadProof`.
pub mod registry {
	/// No device with this id is registered.
	pub const UNKNOWN_DEVICE: u8 = 10;
	/// The device is Suspended or Denied.
	pub const DEVICE_NOT_ACTIVE: u8 = 11;
	/// The nonce was already used. (Reported as `InvalidTransaction::Stale`.)
	pub const STALE_NONCE: u8 = 12;
	/// Over the per-block rate limit.
	pub const RATE_LIMITED: u8 = 13;
	/// The signature does not verify. (Reported as `InvalidTransaction::BadProof`.)
	pub const BAD_SIGNATURE: u8 = 14;
	/// The block's share for feeless reports is used up. (Reported as
	/// `InvalidTransaction::ExhaustsResources`: the report stays in the pool.)
	pub const NO_ROOM: u8 = 15;
	/// A block cannot include a nonce report ahead of the device's next nonce (the pool
	/// keeps it until its turn). (Reported as `InvalidTransaction::Future`.)
	pub const FUTURE_NONCE: u8 = 16;
}

/// A pallet that checks reports in the pool refuses one with
/// `Custom(base + index of its error)`; these are the bases.
pub mod base {
	/// pallet-proof-of-coverage: `Custom(64 + error index)`.
	pub const PROOF_OF_COVERAGE: u8 = 64;
	/// pallet-energy-market: `Custom(96 + error index)`.
	pub const ENERGY_MARKET: u8 = 96;
}

/// The code of a pallet's error `index` under `base`, saturating at 255.
pub const fn code(base: u8, index: u8) -> u8 {
	base.saturating_add(index)
}
