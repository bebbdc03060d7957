//! Benchmarks of the energy market. Meters that sign readings are real sr25519 keys in the
//! benchmark keystore registered through the device registry; books for clearing and
//! settlement are written straight into storage with one distinct owner per order, each
//! with its collateral really held, so every release and payment touches its own account.

use crate::{
	BalanceOf, BenchmarkHelper, Books, Call, ClearingDue, Clearings, Config, Debts, LastReading,
	MarketParams, MeterBook, MeterDebtor, MeterInfo, MeterOrders, Meters, NextOrderId, Order,
	OrderId, Orders, Pallet, Params, Readings, Side, SlotIndex, ZoneId, Zones,
};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{
			fungible::{Mutate, MutateHold},
			Authorize, Get,
		},
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	sp_core::sr25519,
	sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner},
};

use assay_primitives::bench_keys::{generate, sign};

const ZONE: ZoneId = 1;
const SEED: u32 = 0;
const IMPORT: u64 = 250_000;
const EXPORT: u64 = 50_000;
/// The slot books are made for: its gate closes at the start of slot 2.
const SLOT: SlotIndex = 3;
/// The capacity benchmark meters are bound with, Wh per slot: a large plant, so no order or
/// reading here is bounded by it.
const CAPACITY_WH: u64 = 100_000_000;

fn params<T: Config>() -> MarketParams<BlockNumberFor<T>> {
	MarketParams { slot_length: 10u32.into(), reading_window: 2, reading_retention: 8 }
}

/// Parameters, and zone 1 with a funded grid account.
fn setup<T: Config>() -> T::AccountId {
	Params::<T>::put(params::<T>());
	let grid: T::AccountId = account("grid", 0, SEED);
	fund::<T>(&grid);
	assert!(Pallet::<T>::do_set_zone(ZONE, IMPORT, EXPORT, grid.clone()).is_ok());
	grid
}

fn fund<T: Config>(who: &T::AccountId) {
	let _ = T::Currency::mint_into(who, Pallet::<T>::micro_to_balance(1_000_000_000_000));
}

fn run_to_slot<T: Config>(slot: SlotIndex) {
	frame_system::Pallet::<T>::set_block_number(BlockNumberFor::<T>::from(slot.saturating_mul(10)));
}

/// A registered EnergyMeter of a funded owner, its key in the keystore, bound to zone 1.
fn bound_meter<T: Config>() -> (T::AccountId, sr25519::Public, T::AccountId)
where
	T::AccountId: From<AccountId32>,
{
	let owner: T::AccountId = account("owner", 0, SEED);
	let key = generate();
	T::BenchmarkHelper::registered_meter(key, &owner);
	fund::<T>(&owner);
	let meter: T::AccountId = MultiSigner::from(key).into_account().into();
	Meters::<T>::insert(&meter, MeterInfo { zone: ZONE, capacity_wh: CAPACITY_WH });
	(owner, key, meter)
}

/// Writes an order with its collateral held, as `place_order` would, for a fresh funded
/// owner.
fn stored_order<T: Config>(i: u32, side: Side, qty_wh: u64, price: u64) -> OrderId {
	let owner: T::AccountId = account("trader", i, SEED);
	let meter: T::AccountId = account("meter", i, SEED);
	fund::<T>(&owner);
	let collateral_price = if side == Side::Buy { price } else { IMPORT };
	let collateral = Pallet::<T>::micro_to_balance(crate::settlement::value_up(
		u128::from(qty_wh),
		collateral_price,
	));
	assert!(T::Currency::hold(&Pallet::<T>::collateral_reason(), &owner, collateral).is_ok());
	let id = NextOrderId::<T>::get();
	NextOrderId::<T>::put(id + 1);
	Orders::<T>::insert(
		id,
		Order {
			owner,
			meter: meter.clone(),
			zone: ZONE,
			slot: SLOT,
			side,
			qty_wh,
			price,
			collateral_price,
			collateral,
		},
	);
	assert!(Books::<T>::try_mutate((ZONE, SLOT, side), |b| b.try_push(id)).is_ok());
	MeterBook::<T>::insert(&meter, (SLOT, side), MeterOrders { count: 1, qty_wh });
	id
}

/// A book of `n` orders where all but one order release collateral at clearing: `n/2`
/// bids at 150k share 1,000 Wh pro rata, one ask fills completely, the other asks are
/// priced above every bid.
fn worst_clearing_book<T: Config>(n: u32) {
	let bids = n / 2;
	for i in 0..bids {
		stored_order::<T>(i, Side::Buy, 1_000, 150_000);
	}
	stored_order::<T>(bids, Side::Sell, 1_000, 100_000);
	for i in bids + 1..n {
		stored_order::<T>(i, Side::Sell, 1_000, 200_000);
	}
	let _ = ClearingDue::<T>::try_mutate(SLOT, |z| z.try_push(ZONE));
}

/// A cleared book of `n` orders, every order filled by a distinct owner, with readings
/// where every buyer took 100 Wh more than it bought (paying beyond its collateral from
/// its free balance) and every seller delivered 100 Wh less (still paid).
fn cleared_full_slot<T: Config>(n: u32) {
	let half = n / 2;
	for i in 0..half {
		stored_order::<T>(i, Side::Buy, 1_000, 150_000);
	}
	for i in half..n {
		stored_order::<T>(i, Side::Sell, 1_000, 150_000);
	}
	Pallet::<T>::clear_book(ZONE, SLOT);
	for id in 0..u64::from(n) {
		let order = Orders::<T>::get(id).expect("stored above");
		let (import_wh, export_wh) = match order.side {
			Side::Buy => (1_100, 0),
			Side::Sell => (0, 900),
		};
		Readings::<T>::insert(&order.meter, SLOT, (0u64, 0u64));
		Readings::<T>::insert(&order.meter, SLOT + 1, (import_wh, export_wh));
	}
	run_to_slot::<T>(SLOT + 1);
}

fn reading_call<T: Config>(
	key: &sr25519::Public,
	meter: T::AccountId,
	boundary: SlotIndex,
) -> Call<T> {
	let payload = assay_wire::energy::reading_payload(&meter, boundary, 2_000, 2_000);
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::from(0u32));
	let message = assay_wire::devices::report(&genesis, 0, &payload);
	let signature: MultiSignature = sign(key, &message);
	Call::<T>::submit_reading {
		meter,
		nonce: 0,
		slot_boundary: boundary,
		import_register_wh: 2_000,
		export_register_wh: 2_000,
		signature,
	}
}

/// A bound meter with a previous reading and one old enough to be pruned by the next.
fn meter_with_history<T: Config>() -> (sr25519::Public, T::AccountId, SlotIndex)
where
	T::AccountId: From<AccountId32>,
{
	let (_, key, meter) = bound_meter::<T>();
	let boundary = 10;
	run_to_slot::<T>(boundary);
	Readings::<T>::insert(&meter, boundary - 8, (500u64, 500u64));
	Readings::<T>::insert(&meter, boundary - 1, (1_000u64, 1_000u64));
	LastReading::<T>::insert(&meter, (boundary - 1, 1_000u64, 1_000u64));
	(key, meter, boundary)
}

#[benchmarks(where T::AccountId: From<AccountId32>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_zone() {
		Params::<T>::put(params::<T>());
		let grid: T::AccountId = account("grid", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Root, ZONE, IMPORT, EXPORT, grid);
		assert!(Zones::<T>::contains_key(ZONE));
	}

	#[benchmark]
	fn bind_meter() {
		setup::<T>();
		let (owner, _, meter) = bound_meter::<T>();
		Meters::<T>::remove(&meter);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), meter.clone(), ZONE, CAPACITY_WH);
		assert!(Meters::<T>::contains_key(&meter));
	}

	#[benchmark]
	fn unbind_meter() {
		setup::<T>();
		let (owner, _, meter) = bound_meter::<T>();
		// It once owed, and its debtor has paid: both looked up.
		MeterDebtor::<T>::insert(&meter, &owner);
		run_to_slot::<T>(SLOT + 3);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), meter.clone());
		assert!(!Meters::<T>::contains_key(&meter));
	}

	/// Into a book one short of full, for a slot whose due-list holds every other zone, by a
	/// meter one order short of its cap that once owed (its debtor looked up).
	#[benchmark]
	fn place_order() {
		setup::<T>();
		let (owner, _, meter) = bound_meter::<T>();
		MeterDebtor::<T>::insert(&meter, &owner);
		let count = T::MaxOrdersPerMeter::get() - 1;
		MeterBook::<T>::insert(&meter, (SLOT, Side::Buy), MeterOrders { count, qty_wh: 1_000 });
		let ids: Vec<OrderId> =
			(0..u64::from(T::MaxOrdersPerSide::get()) - 1).map(|i| 1_000_000 + i).collect();
		Books::<T>::insert((ZONE, SLOT, Side::Buy), BoundedVec::truncate_from(ids));
		let others: Vec<ZoneId> = (100..100 + T::MaxZones::get() - 1).collect();
		ClearingDue::<T>::insert(SLOT, BoundedVec::truncate_from(others));
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), meter, SLOT, Side::Buy, 1_000, 200_000);
		assert_eq!(
			Books::<T>::decode_len((ZONE, SLOT, Side::Buy)),
			Some(T::MaxOrdersPerSide::get() as usize)
		);
	}

	/// The last order of a full book.
	#[benchmark]
	fn cancel_order() {
		setup::<T>();
		let (owner, _, meter) = bound_meter::<T>();
		let ids: Vec<OrderId> =
			(0..u64::from(T::MaxOrdersPerSide::get()) - 1).map(|i| 1_000_000 + i).collect();
		Books::<T>::insert((ZONE, SLOT, Side::Buy), BoundedVec::truncate_from(ids));
		assert!(Pallet::<T>::do_place_order(owner.clone(), meter, SLOT, Side::Buy, 1_000, 200_000)
			.is_ok());
		let id = NextOrderId::<T>::get() - 1;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(!Orders::<T>::contains_key(id));
	}

	#[benchmark]
	fn submit_reading() {
		setup::<T>();
		let (key, meter, boundary) = meter_with_history::<T>();
		let Call::<T>::submit_reading {
			meter,
			nonce,
			slot_boundary,
			import_register_wh,
			export_register_wh,
			signature,
		} = reading_call::<T>(&key, meter, boundary)
		else {
			unreachable!()
		};
		#[extrinsic_call]
		_(
			RawOrigin::Authorized,
			meter.clone(),
			nonce,
			slot_boundary,
			import_register_wh,
			export_register_wh,
			signature,
		);
		assert!(Readings::<T>::contains_key(&meter, boundary));
		assert!(!Readings::<T>::contains_key(&meter, boundary - 8));
	}

	#[benchmark]
	fn authorize_submit_reading() {
		setup::<T>();
		let (key, meter, boundary) = meter_with_history::<T>();
		polkadot_sdk::frame_benchmarking::benchmarking::add_to_whitelist(
			frame_system::BlockHash::<T>::hashed_key_for(BlockNumberFor::<T>::from(0u32)).into(),
		);
		let call = reading_call::<T>(&key, meter, boundary);
		#[block]
		{
			let result = call.authorize(TransactionSource::External);
			assert!(matches!(result, Some(Ok(_))));
		}
	}

	/// A full slot of `n` orders, each a distinct owner and meter, all filled.
	#[benchmark]
	fn settle_slot(n: Linear<2, { T::MaxOrdersPerSide::get().saturating_mul(2) }>) {
		let grid = setup::<T>();
		cleared_full_slot::<T>(n);
		let caller: T::AccountId = account("caller", 0, SEED);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), ZONE, SLOT);
		let totals = Clearings::<T>::get((ZONE, SLOT)).and_then(|c| c.settled).expect("settled");
		assert_eq!(totals.participants_net + totals.grid_net, 0);
		let _ = grid;
	}

	/// A debt to the grid, with every zone looked at to see whether the debtor is a grid.
	#[benchmark]
	fn pay_debt() {
		let grid = setup::<T>();
		for zone in 2..=T::MaxZones::get() {
			assert!(Pallet::<T>::do_set_zone(zone, IMPORT, EXPORT, grid.clone()).is_ok());
		}
		let debtor: T::AccountId = account("debtor", 0, SEED);
		fund::<T>(&debtor);
		let debt: BalanceOf<T> = Pallet::<T>::micro_to_balance(1_000);
		Debts::<T>::insert(&debtor, &grid, debt);
		#[extrinsic_call]
		_(RawOrigin::Signed(debtor.clone()), grid.clone(), Pallet::<T>::micro_to_balance(400));
		assert_eq!(Debts::<T>::get(&debtor, &grid), Some(Pallet::<T>::micro_to_balance(600)));
	}

	/// Clearing a book of `n` orders (half each side) where all but one release collateral.
	#[benchmark]
	fn clear_book(n: Linear<2, { T::MaxOrdersPerSide::get().saturating_mul(2) }>) {
		setup::<T>();
		worst_clearing_book::<T>(n);
		run_to_slot::<T>(SLOT - 1);
		#[block]
		{
			Pallet::<T>::clear_book(ZONE, SLOT);
		}
		assert!(Clearings::<T>::contains_key((ZONE, SLOT)));
	}

	/// A block with no book to clear.
	#[benchmark]
	fn on_initialize_idle() {
		setup::<T>();
		run_to_slot::<T>(SLOT - 1);
		#[block]
		{
			Pallet::<T>::do_on_initialize(BlockNumberFor::<T>::from((SLOT - 1) * 10 + 1));
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
