//! Types stored and returned by the energy market.

use crate::settlement::Amounts;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;

/// A zone's id (a grid area with its own prices and grid account).
pub type ZoneId = u32;
/// A delivery slot: blocks `[slot · slot_length, (slot + 1) · slot_length)`.
pub type SlotIndex = u32;
/// An order's id: sequential from 0; lower ids win ties.
pub type OrderId = u64;

/// The market's parameters (DESIGN §7), set at genesis.
#[derive(
	Clone,
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
pub struct MarketParams<BlockNumber> {
	/// Blocks per delivery slot (150 = 15 minutes).
	pub slot_length: BlockNumber,
	/// Slots after a boundary during which a meter may submit its reading for it (2); a
	/// reading missing after that counts as no delivery.
	pub reading_window: SlotIndex,
	/// Slots a reading is kept after its boundary (96 = one day): a slot must be settled
	/// within this long, or its readings count as missing.
	pub reading_retention: SlotIndex,
}

/// A zone: its grid prices and the account that is the counterparty of every deviation.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Zone<AccountId> {
	/// λ_imp, µASY per kWh: what the grid charges for energy taken from it; the highest
	/// order price.
	pub import_price: u64,
	/// λ_exp, µASY per kWh: what the grid pays for energy given to it; the lowest order
	/// price.
	pub export_price: u64,
	/// The zone's grid account.
	pub grid_account: AccountId,
}

/// The largest capacity a meter may be bound with, Wh per slot: 1 TWh, far above any
/// real connection. With it, a side of a slot's book (at most `MaxOrdersPerSide` orders,
/// each within its meter's capacity) sums to well under `u64::MAX`, which the clearing's
/// volume arithmetic requires (found by the `clearing` fuzz target: orders of ~2^63 Wh
/// each made the fills sum past the saturated volume).
pub const MAX_METER_CAPACITY_WH: u64 = 1_000_000_000_000;

/// A meter bound to a zone.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct MeterInfo {
	/// The zone it trades in.
	pub zone: ZoneId,
	/// The most energy its connection imports or exports in one slot, Wh, declared when it
	/// was bound (a 25 kW connection in a 15-minute slot: 6,250 Wh). A slot's orders on
	/// each side, each register's advance per slot, and the import assumed when its
	/// readings are missing are bounded by it.
	pub capacity_wh: u64,
}

/// What a meter has ordered on one side of one slot.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct MeterOrders {
	/// Open orders (at most `MaxOrdersPerMeter`).
	pub count: u32,
	/// Their quantities summed, Wh (at most the meter's capacity in a slot).
	pub qty_wh: u64,
}

/// Which side of the book an order is on.
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
	PartialOrd,
	Ord,
)]
pub enum Side {
	/// A bid: buys energy (the meter commits to import it).
	Buy,
	/// An ask: sells energy (the meter commits to export it).
	Sell,
}

/// An order, kept from placement until its slot is settled.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Order<AccountId, Balance> {
	/// Who placed it (the meter's owner then); it pays and is paid.
	pub owner: AccountId,
	/// The meter whose readings settle it.
	pub meter: AccountId,
	/// The zone.
	pub zone: ZoneId,
	/// The delivery slot.
	pub slot: SlotIndex,
	/// Buy or sell.
	pub side: Side,
	/// Quantity, Wh.
	pub qty_wh: u64,
	/// Limit price, µASY per kWh.
	pub price: u64,
	/// The price its collateral is counted at: its own price for a bid, λ_imp for an ask.
	pub collateral_price: u64,
	/// Collateral held at placement, `⌈qty · collateral_price / 1000⌉` µASY.
	pub collateral: Balance,
}

/// The most fills a clearing stores: every order of both sides.
pub struct MaxFills<T>(core::marker::PhantomData<T>);
impl<T: crate::Config> Get<u32> for MaxFills<T> {
	fn get() -> u32 {
		T::MaxOrdersPerSide::get().saturating_mul(2)
	}
}

/// A settled slot's totals, µASY: the participants' nets and the grid's sum to zero.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct SettlementTotals {
	/// Participants settled (meters with a fill).
	pub participants: u32,
	/// The sum of the participants' net amounts (positive: they received).
	pub participants_net: i128,
	/// The grid account's net amount (positive: it received).
	pub grid_net: i128,
	/// Of the amounts due, the part recorded as debt instead of paid, in balance units.
	pub debt_recorded: u128,
}

/// The clearing of one (zone, slot), made at its gate closure.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxFillsOf))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct Clearing<AccountId, MaxFillsOf: Get<u32>> {
	/// The uniform price p*, µASY per kWh (0 when nothing traded).
	pub price: u64,
	/// The volume Q, Wh (0: nothing crossed).
	pub volume: u64,
	/// λ_imp at gate closure: deviations are settled at the prices the slot cleared with.
	pub import_price: u64,
	/// λ_exp at gate closure.
	pub export_price: u64,
	/// The grid account at gate closure.
	pub grid_account: AccountId,
	/// (order, Wh filled) of every order that trades, by id.
	pub fills: BoundedVec<(OrderId, u64), MaxFillsOf>,
	/// Set once the slot is settled.
	pub settled: Option<SettlementTotals>,
}

/// One meter's settled slot.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SettledPosition<AccountId> {
	/// The owner that paid or was paid.
	pub owner: AccountId,
	/// Wh bought.
	pub bought_wh: u64,
	/// Wh sold.
	pub sold_wh: u64,
	/// Metered net export, Wh (0 when a reading was missing).
	pub metered_export_wh: i128,
	/// Whether both boundary readings were there.
	pub metered: bool,
	/// The trade amount at p*, µASY.
	pub trade: i128,
	/// The deviation amount at grid prices, µASY.
	pub deviation: i128,
	/// Of a negative net, what the owner still owes the grid account; of a positive one,
	/// what the grid account still owes the owner; in balance units.
	pub debt: u128,
}

impl<AccountId> SettledPosition<AccountId> {
	/// The net amount, µASY (positive: received).
	pub fn net(&self) -> i128 {
		Amounts { trade: self.trade, deviation: self.deviation }.net()
	}
}

/// An order as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct OrderView<AccountId, Balance> {
	/// The order's id.
	pub id: OrderId,
	/// The order.
	pub order: Order<AccountId, Balance>,
	/// Wh filled, once the slot is cleared.
	pub filled_wh: Option<u64>,
}

/// A (zone, slot)'s order book as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct OrderBookView<AccountId, Balance> {
	/// Bids, by id.
	pub bids: alloc::vec::Vec<OrderView<AccountId, Balance>>,
	/// Asks, by id.
	pub asks: alloc::vec::Vec<OrderView<AccountId, Balance>>,
	/// Whether the gate has closed (no more orders or cancellations).
	pub gate_closed: bool,
}

/// A (zone, slot)'s clearing as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ClearingView<AccountId> {
	/// The uniform price, µASY per kWh (0 when nothing traded).
	pub price: u64,
	/// The volume, Wh.
	pub volume: u64,
	/// λ_imp the slot settles deviations at.
	pub import_price: u64,
	/// λ_exp the slot settles deviations at.
	pub export_price: u64,
	/// The grid account.
	pub grid_account: AccountId,
	/// The settlement's totals, once settled.
	pub settled: Option<SettlementTotals>,
}

/// An account's position in a (zone, slot), summed over its meters, µASY and Wh.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct PositionView<Balance> {
	/// Wh bid for.
	pub bid_wh: u64,
	/// Wh offered.
	pub offered_wh: u64,
	/// Wh bought (after clearing).
	pub bought_wh: u64,
	/// Wh sold (after clearing).
	pub sold_wh: u64,
	/// Collateral still held for the slot's orders.
	pub collateral_held: Balance,
	/// Metered net export, Wh, where both readings are in (or the settled value).
	pub metered_export_wh: i128,
	/// The trade amount at p*, µASY (after clearing).
	pub trade: i128,
	/// The deviation amount at grid prices, µASY, from the readings so far.
	pub deviation: i128,
	/// Whether the slot is settled (then every figure is final).
	pub settled: bool,
	/// Left as debt at settlement (owed by the account, or to it by the grid), in balance
	/// units.
	pub debt: u128,
}
