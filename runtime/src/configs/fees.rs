//! Where transaction fees go: `FEE_AUTHOR_PERCENT` of fees and all tips to the block
//! author, recorded in the earnings ledger as validation earnings; the rest of the fees is
//! burned (the credit is dropped, which lowers total issuance).

use crate::{AccountId, Balances, Runtime, FEE_AUTHOR_PERCENT};
use assay_primitives::{EarningSource, Earnings as _};
use polkadot_sdk::{
	frame_support::{
		dispatch::DispatchClass,
		traits::{
			fungible::{Balanced, Credit},
			Imbalance, OnUnbalanced,
		},
	},
	frame_system, pallet_authorship,
};

/// The fee handler of `pallet-transaction-payment`.
pub struct DealWithFees;

impl DealWithFees {
	/// Pays `credit` to the current block author and records it. Without an author (no
	/// digest, e.g. in some tests), or if the deposit fails, the credit is burned.
	fn pay_author(credit: Credit<AccountId, Balances>) {
		let amount = credit.peek();
		let Some(author) = pallet_authorship::Pallet::<Runtime>::author() else {
			return;
		};
		if <Balances as Balanced<AccountId>>::resolve(&author, credit).is_ok() {
			pallet_earnings::Pallet::<Runtime>::record(&author, EarningSource::Validation, amount);
			// The ledger's writes happen after dispatch; account for them.
			frame_system::Pallet::<Runtime>::register_extra_weight_unchecked(
				<Runtime as frame_system::Config>::DbWeight::get().reads_writes(2, 2),
				DispatchClass::Mandatory,
			);
		}
	}
}

impl OnUnbalanced<Credit<AccountId, Balances>> for DealWithFees {
	fn on_unbalanceds(mut fees_then_tips: impl Iterator<Item = Credit<AccountId, Balances>>) {
		let Some(fees) = fees_then_tips.next() else { return };
		let (mut to_author, to_burn) = fees.ration(FEE_AUTHOR_PERCENT, 100 - FEE_AUTHOR_PERCENT);
		if let Some(tips) = fees_then_tips.next() {
			tips.merge_into(&mut to_author);
		}
		Self::pay_author(to_author);
		drop(to_burn);
	}
}
