//! # pallet-energy-market
//!
//! Local energy trading for Assay (DESIGN §7): prosumers sell surplus to neighbours through
//! a uniform-price double auction cleared in the runtime, and every trade is settled
//! against the meters' own signed readings, integer only and zero-sum to the last µASY.
//!
//! - **Zones** (`set_zone`, admin): a grid area with its import price λ_imp, export price
//!   λ_exp (µASY per kWh) and grid account, the counterparty of every deviation.
//! - **Meters** (`bind_meter`/`unbind_meter`): a registered `EnergyMeter` device its owner
//!   binds to a zone.
//! - **Orders** (`place_order`/`cancel_order`) for a delivery slot of `slot_length` blocks,
//!   until the gate closes one slot before delivery; price within `[λ_exp, λ_imp]`, at most
//!   `MaxOrdersPerSide` per (zone, slot, side); collateral held (a bid `⌈qty·price/1000⌉`,
//!   an ask `⌈qty·λ_imp/1000⌉` µASY).
//! - **Clearing** at gate closure, in `on_initialize`, at most `MaxClearingsPerBlock` books
//!   per block: the double auction of module [`clearing`]; fills are stored and the
//!   collateral of what did not fill is released.
//! - **Readings** (`submit_reading`, device-signed through the device registry's one report
//!   mechanism): cumulative import/export registers at slot boundaries, monotonic; a slot's
//!   energy is the difference between its two boundary readings.
//! - **Settlement** (`settle_slot`, anyone, once the readings are in or their window has
//!   closed): module [`settlement`] — trades at p*, deviations at grid prices, dust to the
//!   grid — paid from collateral, then free balance; what cannot be paid is recorded as
//!   debt (`pay_debt`), which blocks new orders. Sellers' receipts are recorded as Energy
//!   earnings.
//!
//! Reads are the runtime API `EnergyApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

pub mod clearing;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
mod market_impls;
mod readings_impls;
pub mod runtime_api;
pub mod settlement;
mod settlement_impls;
mod tick_impls;
pub mod types;
mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// What benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers the sr25519 key `device` (in the benchmark keystore) as an EnergyMeter of
	/// `owner` through the device registry, and funds `owner`.
	fn registered_meter(device: polkadot_sdk::sp_core::sr25519::Public, owner: &AccountId);
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use assay_primitives::{DeviceRegistry, DeviceReports, Earnings};
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::fungible::{Inspect, Mutate, MutateHold},
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::MultiSignature,
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The balance type of the currency trades are paid in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// An order of this runtime.
	pub type OrderOf<T> = Order<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// A clearing of this runtime.
	pub type ClearingOf<T> = Clearing<<T as frame_system::Config>::AccountId, MaxFills<T>>;
	/// A zone of this runtime.
	pub type ZoneOf<T> = Zone<<T as frame_system::Config>::AccountId>;

	/// Configuration of the energy market.
	#[pallet::config]
	#[pallet::disable_frame_system_supertrait_check]
	pub trait Config: frame_system::Config {
		/// The currency collateral is held in and trades are paid in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who sets zones (root for now).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Devices: owners, kinds, statuses.
		type Devices: DeviceRegistry<Self::AccountId, BlockNumberFor<Self>>;
		/// The one device-signed report mechanism.
		type Reports: DeviceReports<Self::AccountId, MultiSignature>;
		/// The earnings ledger.
		type Earnings: Earnings<Self::AccountId, BalanceOf<Self>>;
		/// Balance units per µASY (prices are µASY per kWh).
		#[pallet::constant]
		type MicroUnit: Get<BalanceOf<Self>>;
		/// The most zones.
		#[pallet::constant]
		type MaxZones: Get<u32>;
		/// The most orders per (zone, slot, side).
		#[pallet::constant]
		type MaxOrdersPerSide: Get<u32>;
		/// The most books cleared per block. `slot_length · MaxClearingsPerBlock ≥
		/// MaxZones`, so every book is cleared within the slot before delivery.
		#[pallet::constant]
		type MaxClearingsPerBlock: Get<u32>;
		/// The most open orders one meter has on one side of one slot.
		#[pallet::constant]
		type MaxOrdersPerMeter: Get<u32>;
		/// The smallest order, Wh.
		#[pallet::constant]
		type MinOrderWh: Get<u64>;
		/// How many slots ahead orders are taken: for slot `s` while
		/// `s ≤ current_slot + OrderHorizon`.
		#[pallet::constant]
		type OrderHorizon: Get<SlotIndex>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
		/// Prepares meters for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Why the energy market holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Collateral of open orders, until their slot is cleared (what did not fill) or
		/// settled (the rest).
		OrderCollateral,
	}

	/// The market's parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, MarketParams<BlockNumberFor<T>>, OptionQuery>;

	/// Zones by id.
	#[pallet::storage]
	pub type Zones<T: Config> = StorageMap<_, Twox64Concat, ZoneId, ZoneOf<T>>;

	/// How many zones exist.
	#[pallet::storage]
	pub type ZoneCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Meters bound to a zone, by device.
	#[pallet::storage]
	pub type Meters<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, MeterInfo>;

	/// Orders by id, from placement until their slot is settled (or they are cancelled).
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Twox64Concat, OrderId, OrderOf<T>>;

	/// The id the next order gets.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// The ids of a (zone, slot, side)'s orders, in placement order.
	#[pallet::storage]
	pub type Books<T: Config> = StorageMap<
		_,
		Twox64Concat,
		(ZoneId, SlotIndex, Side),
		BoundedVec<OrderId, T::MaxOrdersPerSide>,
		ValueQuery,
	>;

	/// The zones with orders for a slot that are not cleared yet.
	#[pallet::storage]
	pub type ClearingDue<T: Config> =
		StorageMap<_, Twox64Concat, SlotIndex, BoundedVec<ZoneId, T::MaxZones>, ValueQuery>;

	/// The clearing of each (zone, slot), from gate closure on.
	#[pallet::storage]
	pub type Clearings<T: Config> = StorageMap<_, Twox64Concat, (ZoneId, SlotIndex), ClearingOf<T>>;

	/// Meter readings: (meter, boundary slot) → (import register, export register), Wh.
	#[pallet::storage]
	pub type Readings<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SlotIndex, (u64, u64)>;

	/// Each meter's latest reading: (boundary, import register, export register).
	#[pallet::storage]
	pub type LastReading<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (SlotIndex, u64, u64)>;

	/// Settled positions: (zone, slot) → meter → what it traded, metered, paid and owes.
	#[pallet::storage]
	pub type SettledPositions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(ZoneId, SlotIndex),
		Blake2_128Concat,
		T::AccountId,
		SettledPosition<T::AccountId>,
	>;

	/// What each meter has ordered per (slot, side), until the slot is settled: bounds a
	/// meter's orders per book and their sum by its capacity; a meter with an entry has an
	/// open position.
	#[pallet::storage]
	pub type MeterBook<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		(SlotIndex, Side),
		MeterOrders,
		ValueQuery,
	>;

	/// The account whose debt a meter's settlement left unpaid: the meter trades, changes
	/// owner and leaves only once that account owes nothing.
	#[pallet::storage]
	pub type MeterDebtor<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Debts: debtor → creditor → amount. A debtor cannot place orders until it pays.
	#[pallet::storage]
	pub type Debts<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
	>;

	/// Events of the energy market.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A zone was created or its prices or grid account changed.
		ZoneSet {
			/// The zone.
			zone: ZoneId,
			/// λ_imp, µASY per kWh.
			import_price: u64,
			/// λ_exp, µASY per kWh.
			export_price: u64,
			/// The grid account.
			grid_account: T::AccountId,
		},
		/// A meter was bound to a zone.
		MeterBound {
			/// The meter device.
			meter: T::AccountId,
			/// The zone.
			zone: ZoneId,
			/// Its declared capacity, Wh per slot.
			capacity_wh: u64,
		},
		/// A meter left its zone.
		MeterUnbound {
			/// The meter device.
			meter: T::AccountId,
		},
		/// An order was placed and its collateral held.
		OrderPlaced {
			/// The order.
			order: OrderId,
			/// Who placed it.
			owner: T::AccountId,
			/// The meter.
			meter: T::AccountId,
			/// The zone.
			zone: ZoneId,
			/// The delivery slot.
			slot: SlotIndex,
			/// Buy or sell.
			side: Side,
			/// Wh.
			qty_wh: u64,
			/// µASY per kWh.
			price: u64,
			/// Collateral held.
			collateral: BalanceOf<T>,
		},
		/// An order was cancelled and its collateral released.
		OrderCancelled {
			/// The order.
			order: OrderId,
		},
		/// A (zone, slot) was cleared at gate closure. Volume 0: nothing crossed, every
		/// order's collateral was released.
		SlotCleared {
			/// The zone.
			zone: ZoneId,
			/// The delivery slot.
			slot: SlotIndex,
			/// The uniform price p*, µASY per kWh (0 when nothing traded).
			price: u64,
			/// The volume, Wh.
			volume: u64,
		},
		/// A meter's reading at a slot boundary was recorded.
		ReadingSubmitted {
			/// The meter.
			meter: T::AccountId,
			/// The boundary: the start of this slot.
			slot_boundary: SlotIndex,
			/// Cumulative import register, Wh.
			import_register_wh: u64,
			/// Cumulative export register, Wh.
			export_register_wh: u64,
		},
		/// A meter's position in a slot was settled.
		PositionSettled {
			/// The zone.
			zone: ZoneId,
			/// The slot.
			slot: SlotIndex,
			/// The meter.
			meter: T::AccountId,
			/// Its owner.
			owner: T::AccountId,
			/// Committed net export `c = sold − bought`, Wh.
			committed_export_wh: i128,
			/// Metered net export `m`, Wh.
			metered_export_wh: i128,
			/// The net amount, µASY (positive: received).
			net: i128,
			/// µASY of it left as debt.
			debt: u128,
		},
		/// A slot was settled; the participants' nets and the grid's sum to zero.
		SlotSettled {
			/// The zone.
			zone: ZoneId,
			/// The slot.
			slot: SlotIndex,
			/// The totals.
			totals: SettlementTotals,
		},
		/// A debt was recorded because an amount could not be paid.
		DebtRecorded {
			/// Who owes.
			debtor: T::AccountId,
			/// To whom.
			creditor: T::AccountId,
			/// The amount added.
			amount: BalanceOf<T>,
		},
		/// A debt was paid (in part or in full).
		DebtPaid {
			/// Who paid.
			debtor: T::AccountId,
			/// To whom.
			creditor: T::AccountId,
			/// The amount paid.
			amount: BalanceOf<T>,
			/// What is still owed.
			remaining: BalanceOf<T>,
		},
	}

	/// Why an energy-market call or reading was refused. Readings refused in the pool carry
	/// `InvalidTransaction::Custom(96 + this error's index)`.
	#[pallet::error]
	pub enum Error<T> {
		/// The market has no parameters yet.
		NotConfigured,
		/// λ_exp must be at most λ_imp, and λ_imp above zero.
		InvalidPrices,
		/// No more zones fit (`MaxZones`).
		TooManyZones,
		/// No zone with this id.
		UnknownZone,
		/// The device is not a registered EnergyMeter.
		NotAnEnergyMeter,
		/// The caller does not own the meter (or the order).
		NotMeterOwner,
		/// The meter is already bound to a zone.
		MeterAlreadyBound,
		/// The meter is not bound to a zone.
		MeterNotBound,
		/// The meter is Suspended or Denied.
		MeterNotActive,
		/// The meter has orders in a slot that is not settled yet (settle it first: anyone
		/// may, once its readings are in or their window has closed).
		OpenPosition,
		/// The quantity is below `MinOrderWh`.
		QuantityTooSmall,
		/// The price must lie within the zone's [λ_exp, λ_imp].
		PriceOutsideBand,
		/// The gate of this slot has closed (orders close one slot before delivery).
		GateClosed,
		/// The (zone, slot, side) already has `MaxOrdersPerSide` orders.
		TooManyOrders,
		/// The collateral cannot be held: not enough free balance.
		InsufficientCollateral,
		/// No open order with this id.
		UnknownOrder,
		/// Only the order's owner cancels it.
		NotOrderOwner,
		/// The account has unpaid market debt; pay it first (`pay_debt`).
		OutstandingDebt,
		/// The boundary has not been reached yet: no reading for an unknown slot.
		UnknownSlot,
		/// The readings window of this boundary has closed.
		ReadingWindowClosed,
		/// The meter already has a reading at this boundary or a later one.
		ReadingExists,
		/// A register went backwards.
		NonMonotonicRegister,
		/// No clearing for this (zone, slot): no orders, or its gate has not closed.
		NotCleared,
		/// The slot is already settled.
		AlreadySettled,
		/// A participant's readings are still missing and their window is open.
		SettlementTooEarly,
		/// No debt to this creditor.
		NoDebt,
		/// Parameters out of range: `slot_length · MaxClearingsPerBlock ≥ MaxZones`, and
		/// the retention longer than the readings window.
		InvalidParams,
		/// The slot is beyond the order horizon (`OrderHorizon` slots ahead).
		BeyondHorizon,
		/// The meter already has `MaxOrdersPerMeter` orders on this side of this slot.
		TooManyMeterOrders,
		/// The meter's orders on this side of this slot would exceed what its capacity
		/// delivers in a slot.
		OverCapacity,
		/// A register advanced more than the meter's capacity allows since its last
		/// reading.
		ImplausibleReading,
		/// The meter's settlement left a debt that is not paid yet.
		MeterInDebt,
		/// The capacity must be at least `MinOrderWh` and at most `MAX_METER_CAPACITY_WH`
		/// (1 TWh per slot).
		InvalidCapacity,
	}

	/// Genesis: the parameters and zones.
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters; `None` leaves the market closed.
		pub params: Option<MarketParams<BlockNumberFor<T>>>,
		/// Zones: (id, λ_imp, λ_exp, grid account).
		pub zones: Vec<(ZoneId, u64, u64, T::AccountId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = &self.params {
				assert!(
					Pallet::<T>::check_params(params).is_ok(),
					"energy-market genesis params out of range"
				);
				Params::<T>::put(params);
			}
			for (zone, import_price, export_price, grid_account) in &self.zones {
				let result = Pallet::<T>::do_set_zone(
					*zone,
					*import_price,
					*export_price,
					grid_account.clone(),
				);
				assert!(result.is_ok(), "energy-market genesis zone refused");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Clears the books whose gate has closed, at most `MaxClearingsPerBlock` per block.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::do_on_initialize(now)
		}

		fn integrity_test() {
			assert!(T::MaxZones::get() >= 1, "MaxZones must be at least 1");
			assert!(T::MaxOrdersPerSide::get() >= 1, "MaxOrdersPerSide must be at least 1");
			assert!(T::MaxClearingsPerBlock::get() >= 1, "MaxClearingsPerBlock must be at least 1");
			assert!(
				u128::from(T::MaxOrdersPerSide::get()) * u128::from(crate::MAX_METER_CAPACITY_WH)
					< u128::from(u64::MAX),
				"a side of a book must sum to less than u64::MAX Wh"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates or updates a zone: λ_imp and λ_exp in µASY per kWh (λ_exp ≤ λ_imp) and the
		/// grid account, counterparty of its deviations. Slots already cleared keep the
		/// prices they cleared with.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_zone())]
		pub fn set_zone(
			origin: OriginFor<T>,
			zone: ZoneId,
			import_price: u64,
			export_price: u64,
			grid_account: T::AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_zone(zone, import_price, export_price, grid_account)
		}

		/// Binds a registered EnergyMeter the caller owns to a zone, with its connection's
		/// capacity: the most Wh it can import or export in one slot (a 25 kW connection in
		/// a 15-minute slot: 6,250). A slot's orders on each side and each register's
		/// advance per slot are bounded by it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bind_meter())]
		pub fn bind_meter(
			origin: OriginFor<T>,
			device: T::AccountId,
			zone: ZoneId,
			capacity_wh: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bind_meter(who, device, zone, capacity_wh)
		}

		/// Unbinds the caller's meter from its zone, once every slot it ordered for is
		/// settled and it owes nothing.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbind_meter())]
		pub fn unbind_meter(origin: OriginFor<T>, device: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbind_meter(who, device)
		}

		/// Places an order for delivery `slot` through the caller's bound meter: `Buy` or
		/// `Sell` `qty_wh` Wh (at least `MinOrderWh`) at a limit `price` in µASY per kWh
		/// within the zone's [λ_exp, λ_imp], before the gate closes one slot before delivery
		/// and at most `OrderHorizon` slots ahead. A meter has at most `MaxOrdersPerMeter`
		/// orders per side and slot, summing to at most its capacity in a slot. Holds the
		/// collateral: a bid `⌈qty·price/1000⌉`, an ask `⌈qty·λ_imp/1000⌉` µASY.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::place_order())]
		pub fn place_order(
			origin: OriginFor<T>,
			meter: T::AccountId,
			slot: SlotIndex,
			side: Side,
			qty_wh: u64,
			price: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_place_order(who, meter, slot, side, qty_wh, price)
		}

		/// Cancels the caller's order before its gate closes; releases its collateral.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_order())]
		pub fn cancel_order(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_order(who, order)
		}

		/// A meter's cumulative registers (Wh) at the start of slot `slot_boundary`,
		/// submitted within `reading_window` slots after it; both never go backwards, nor
		/// advance faster than the meter's capacity.
		/// Device-signed (`nonce` as for every report) over `assay_wire::energy::reading_payload(..)`;
		/// feeless, submitted as a general transaction.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::submit_reading())]
		#[pallet::authorize(|source, meter, nonce, slot_boundary, import_register_wh, export_register_wh, signature| {
			Pallet::<T>::authorize_reading(meter, *nonce, *slot_boundary, *import_register_wh, *export_register_wh, signature, source)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_reading())]
		pub fn submit_reading(
			origin: OriginFor<T>,
			meter: T::AccountId,
			nonce: u64,
			slot_boundary: SlotIndex,
			import_register_wh: u64,
			export_register_wh: u64,
			signature: MultiSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			let _ = signature;
			Self::do_submit_reading(
				meter,
				nonce,
				slot_boundary,
				import_register_wh,
				export_register_wh,
			)
		}

		/// Settles a cleared slot (anyone may): once every participant's two boundary
		/// readings are in, or the readings window after the slot has closed. Each meter is
		/// settled once. Pays trades at p* and deviations at grid prices from collateral,
		/// then free balance; records the rest as debt. A meter whose readings are missing
		/// is settled as if it exported nothing and imported its full capacity.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::settle_slot(T::MaxOrdersPerSide::get().saturating_mul(2)))]
		pub fn settle_slot(
			origin: OriginFor<T>,
			zone: ZoneId,
			slot: SlotIndex,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_settle_slot(zone, slot)
		}

		/// Pays up to `amount` of the caller's debt to `creditor` from its free balance.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::pay_debt())]
		pub fn pay_debt(
			origin: OriginFor<T>,
			creditor: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_pay_debt(who, creditor, amount)
		}
	}
}
