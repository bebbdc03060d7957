//! Runtime API of the energy market.

use crate::{ClearingView, OrderBookView, PositionView, SlotIndex, ZoneId};
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of order books, clearings, positions and debts.
	pub trait EnergyApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// A (zone, slot)'s open orders (with fills once cleared) and whether its gate has
		/// closed.
		fn order_book(zone: ZoneId, slot: SlotIndex) -> OrderBookView<AccountId, Balance>;
		/// A (zone, slot)'s clearing: price, volume, the grid prices it settles at and, once
		/// settled, the zero-sum totals.
		fn clearing(zone: ZoneId, slot: SlotIndex) -> Option<ClearingView<AccountId>>;
		/// An account's position in a (zone, slot) over all its meters.
		fn position(account: AccountId, zone: ZoneId, slot: SlotIndex) -> PositionView<Balance>;
		/// What `debtor` owes `creditor` from settlements.
		fn debt(debtor: AccountId, creditor: AccountId) -> Balance;
	}
}
