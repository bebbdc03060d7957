//! Runtime API of the validator set.

use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of the governance-managed validator set.
	pub trait ValidatorSetApi<AccountId>
	where
		AccountId: Codec,
	{
		/// The validators the chain wants; pallet-session applies changes at the next
		/// rotation (`session.validators` is the active set).
		fn validators() -> Vec<AccountId>;
	}
}
