//! The earnings ledger interface: every payment to a block author, device owner, compute
//! provider or energy seller is recorded through [`Earnings::record`], implemented once by
//! `pallet-earnings` and wired in the runtime.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Where an earning came from.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum EarningSource {
	/// Block production: the author's share of transaction fees and tips.
	Validation,
	/// Proof-of-coverage rewards to hotspot owners.
	Coverage,
	/// Payment for inference results to compute providers.
	Compute,
	/// Energy sold through the energy market.
	Energy,
}

/// What one account earned, by source, since genesis. Amounts saturate at the balance
/// type's maximum rather than wrap.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct EarningsRecord<Balance> {
	/// From block production (fees and tips).
	pub validation: Balance,
	/// From proof-of-coverage rewards.
	pub coverage: Balance,
	/// From serving inference jobs.
	pub compute: Balance,
	/// From selling energy.
	pub energy: Balance,
}

impl<Balance: polkadot_sdk::sp_runtime::Saturating + Copy> EarningsRecord<Balance> {
	/// Adds `amount` to the bucket of `source`, saturating.
	pub fn add(&mut self, source: EarningSource, amount: Balance) {
		let bucket = match source {
			EarningSource::Validation => &mut self.validation,
			EarningSource::Coverage => &mut self.coverage,
			EarningSource::Compute => &mut self.compute,
			EarningSource::Energy => &mut self.energy,
		};
		*bucket = bucket.saturating_add(amount);
	}

	/// The sum over all sources, saturating.
	pub fn total(&self) -> Balance {
		self.validation
			.saturating_add(self.coverage)
			.saturating_add(self.compute)
			.saturating_add(self.energy)
	}
}

/// The one path every payment is recorded through.
pub trait Earnings<AccountId, Balance> {
	/// Records that `who` earned `amount` from `source`. Never fails: recording is
	/// bookkeeping on top of a payment that already happened.
	fn record(who: &AccountId, source: EarningSource, amount: Balance);
}

/// Records nothing; for mocks of pallets that pay but whose tests don't look at the ledger.
impl<AccountId, Balance> Earnings<AccountId, Balance> for () {
	fn record(_: &AccountId, _: EarningSource, _: Balance) {}
}
