//! Runtime API of the earnings ledger: free reads for Polkadot.js Apps and clients.

use assay_primitives::EarningsRecord;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// What accounts earned on Assay, by source.
	pub trait EarningsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// What `who` earned since genesis: validation, coverage, compute and energy.
		fn earnings(who: AccountId) -> EarningsRecord<Balance>;
		/// What all accounts together earned since genesis, by source.
		fn total_earnings() -> EarningsRecord<Balance>;
	}
}
