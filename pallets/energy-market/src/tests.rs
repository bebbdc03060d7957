//! Mock-runtime tests: real meter keys through the real device registry; orders, clearing
//! at gate closure, signed readings, zero-sum settlement with deviations and debts, and
//! every refusal.

use crate::{
	mock::*, readings_impls::invalid, Books, ClearingDue, Clearings, Debts, Error, Event, Meters,
	Orders, Readings, SettledPositions, Side,
};
use assay_primitives::{DeviceKind, DeviceStatus, EarningSource};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{
			fungible::{Inspect, InspectHold},
			UnfilteredDispatchable,
		},
	},
	frame_system::RawOrigin,
	sp_runtime::{transaction_validity::TransactionValidityError, DispatchError},
};

/// The delivery slot most tests trade: its gate closes at block 20 (slot 2 starts).
const SLOT: u32 = 3;

fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&crate::HoldReason::OrderCollateral.into(), who)
}

fn total(who: &AccountId) -> Balance {
	Balances::total_balance(who)
}

fn everyone() -> Vec<AccountId> {
	vec![alice(), bob(), charlie(), dave(), grid()]
}

fn err(e: Error<Test>) -> Result<(), TransactionValidityError> {
	Err(invalid(e))
}

/// Two prosumers (Alice's and Bob's meters) and two consumers (Charlie's and Dave's).
struct Four {
	pa: MeterKey,
	pb: MeterKey,
	cc: MeterKey,
	cd: MeterKey,
}

fn four() -> Four {
	Four {
		pa: meter("PA", &alice()),
		pb: meter("PB", &bob()),
		cc: meter("CC", &charlie()),
		cd: meter("CD", &dave()),
	}
}

/// Submits the reading of `key` at `boundary`.
fn read(key: &MeterKey, boundary: u32, import_wh: u64, export_wh: u64) {
	assert_ok!(submit(key.reading(boundary, import_wh, export_wh)));
}

/// Readings at both boundaries of `SLOT`: `exported` Wh out, `imported` Wh in.
fn meter_slot(key: &MeterKey, imported: u64, exported: u64) {
	run_to_slot(SLOT);
	read(key, SLOT, 1_000, 5_000);
	run_to_slot(SLOT + 1);
	read(key, SLOT + 1, 1_000 + imported, 5_000 + exported);
}

/// The fill of `order` in `SLOT`'s clearing.
fn fill(order: u64) -> u64 {
	let clearing = Clearings::<Test>::get((ZONE, SLOT)).expect("cleared");
	clearing.fills.iter().find(|f| f.0 == order).map_or(0, |f| f.1)
}

/// Settles `SLOT` and checks that money only moved between the parties, each by exactly
/// its net (µASY, `MicroUnit` = 1), the grid taking the other side: zero-sum.
fn settle_zero_sum() -> Vec<(AccountId, i128)> {
	let before: Vec<Balance> = everyone().iter().map(total).collect();
	let sum_before = total_of(&everyone());
	assert_ok!(EnergyMarket::settle_slot(RuntimeOrigin::signed(alice()), ZONE, SLOT));
	assert_eq!(total_of(&everyone()), sum_before, "money is neither made nor lost");
	let totals = Clearings::<Test>::get((ZONE, SLOT)).unwrap().settled.expect("settled");
	assert_eq!(totals.participants_net + totals.grid_net, 0);
	let mut nets: Vec<(AccountId, i128)> = Vec::new();
	for (_, p) in SettledPositions::<Test>::iter_prefix((ZONE, SLOT)) {
		match nets.iter_mut().find(|(who, _)| *who == p.owner) {
			Some(entry) => entry.1 += p.net(),
			None => nets.push((p.owner.clone(), p.net())),
		}
	}
	for (who, b) in everyone().iter().zip(before) {
		let delta = i128::from(total(who)) - i128::from(b);
		let debt_in: i128 = Debts::<Test>::iter_prefix(who).map(|(_, d)| i128::from(d)).sum();
		let debt_out: i128 = Debts::<Test>::iter()
			.filter(|(_, c, _)| c == who)
			.map(|(_, _, d)| i128::from(d))
			.sum();
		let expected = if *who == grid() {
			totals.grid_net
		} else {
			nets.iter().find(|(w, _)| w == who).map_or(0, |n| n.1)
		};
		// What was not paid is owed: paid + owed-to-me − owed-by-me = net.
		assert_eq!(delta + debt_out - debt_in, expected, "balance change of {who:?}");
	}
	nets
}

fn net_of(nets: &[(AccountId, i128)], who: &AccountId) -> i128 {
	nets.iter().find(|(w, _)| w == who).map_or(0, |n| n.1)
}

#[test]
fn both_sides_exhausted_exactly_the_price_is_the_midpoint_of_the_gap() {
	new_test_ext().execute_with(|| {
		let m = four();
		let bid = order(&charlie(), &m.cc, SLOT, Side::Buy, 2_000, 200_000);
		let ask = order(&alice(), &m.pa, SLOT, Side::Sell, 2_000, 100_000);
		// Collateral: the bid at its price, the ask at λ_imp.
		assert_eq!(held(&charlie()), 400_000);
		assert_eq!(held(&alice()), 500_000);
		run_to_slot(SLOT - 1);
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, c.volume), (150_000, 2_000));
		assert_eq!((fill(bid), fill(ask)), (2_000, 2_000));
		System::assert_has_event(
			Event::SlotCleared { zone: ZONE, slot: SLOT, price: 150_000, volume: 2_000 }.into(),
		);
		// Delivered exactly as committed: the trade alone.
		meter_slot(&m.pa, 0, 2_000);
		read(&m.cc, SLOT, 0, 0);
		read(&m.cc, SLOT + 1, 2_000, 0);
		let nets = settle_zero_sum();
		assert_eq!(net_of(&nets, &alice()), 300_000);
		assert_eq!(net_of(&nets, &charlie()), -300_000);
		assert_eq!((held(&alice()), held(&charlie())), (0, 0));
		assert!(assay_primitives::testing::recorded(&alice(), EarningSource::Energy, 300_000));
		// Orders and books are gone; the settled slot stays readable.
		assert_eq!(Orders::<Test>::iter().count(), 0);
		assert!(Books::<Test>::get((ZONE, SLOT, Side::Buy)).is_empty());
	});
}

#[test]
fn demand_rationed_pro_rata_at_the_marginal_bid() {
	new_test_ext().execute_with(|| {
		let m = four();
		// 1,500 Wh offered; bids 1,000 @ 200k (better level), 1,000 and 2,000 @ 150k.
		let b1 = order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 200_000);
		let b2 = order(&dave(), &m.cd, SLOT, Side::Buy, 1_000, 150_000);
		let b3 = order(&bob(), &m.pb, SLOT, Side::Buy, 2_000, 150_000);
		let a = order(&alice(), &m.pa, SLOT, Side::Sell, 1_500, 100_000);
		run_to_slot(SLOT - 1);
		// The marginal level shares 500 Wh: 500·1000/3000 = 166.67 → 167, 500·2000/3000 → 333.
		assert_eq!((fill(b1), fill(b2), fill(b3), fill(a)), (1_000, 167, 333, 1_500));
		// L = max(last ask 100k, best unfilled bid 150k), U = min(last bid 150k, —): 150k.
		assert_eq!(Clearings::<Test>::get((ZONE, SLOT)).unwrap().price, 150_000);
		// Dave keeps ⌈167·150000/1000⌉ = 25,050 of 150,000; the rest was released.
		assert_eq!(held(&dave()), 25_050);
		assert_eq!(held(&bob()), 49_950);
		meter_slot(&m.pa, 0, 1_500);
		read(&m.cc, SLOT, 0, 0);
		read(&m.cd, SLOT, 0, 0);
		read(&m.pb, SLOT, 0, 0);
		read(&m.cc, SLOT + 1, 1_000, 0);
		read(&m.cd, SLOT + 1, 167, 0);
		read(&m.pb, SLOT + 1, 333, 0);
		let nets = settle_zero_sum();
		assert_eq!(net_of(&nets, &alice()), 225_000);
		assert_eq!(net_of(&nets, &dave()), -25_050);
		assert_eq!(net_of(&nets, &bob()), -49_950);
	});
}

#[test]
fn supply_rationed_with_pro_rata_remainders() {
	new_test_ext().execute_with(|| {
		let m = four();
		// 1,000 Wh demanded at up to 200k; three asks of 1,000 @ 100k share it:
		// 333 each and one Wh left, equal fractions, so the lowest id gets it.
		let b = order(&dave(), &m.cd, SLOT, Side::Buy, 1_000, 200_000);
		let a1 = order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		let a2 = order(&bob(), &m.pb, SLOT, Side::Sell, 1_000, 100_000);
		let a3 = order(&charlie(), &m.cc, SLOT, Side::Sell, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		assert_eq!((fill(b), fill(a1), fill(a2), fill(a3)), (1_000, 334, 333, 333));
		// L = max(100k, —), U = min(200k, best unfilled ask 100k): p* = 100k.
		assert_eq!(Clearings::<Test>::get((ZONE, SLOT)).unwrap().price, 100_000);
		// Sellers keep λ_imp collateral for what filled: ⌈334·250000/1000⌉ = 83,500.
		assert_eq!(held(&alice()), 83_500);
		meter_slot(&m.pa, 0, 334);
		meter_slot(&m.pb, 0, 333);
		meter_slot(&m.cc, 0, 333);
		run_to_slot(SLOT);
		read(&m.cd, SLOT, 0, 0);
		run_to_slot(SLOT + 1);
		read(&m.cd, SLOT + 1, 1_000, 0);
		let nets = settle_zero_sum();
		// ⌊334·100000/1000⌋ = 33,400 and 33,300 each; the buyer pays 100,000.
		assert_eq!(net_of(&nets, &alice()), 33_400);
		assert_eq!(net_of(&nets, &bob()), 33_300);
		assert_eq!(net_of(&nets, &dave()), -100_000);
	});
}

#[test]
fn no_cross_no_trade_and_all_collateral_released() {
	new_test_ext().execute_with(|| {
		let m = four();
		order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 90_000);
		order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, c.volume, c.fills.len()), (0, 0, 0));
		assert_eq!((held(&alice()), held(&charlie())), (0, 0));
		System::assert_has_event(
			Event::SlotCleared { zone: ZONE, slot: SLOT, price: 0, volume: 0 }.into(),
		);
		// Nobody traded, so no readings are needed; settling cleans the book up.
		run_to_slot(SLOT + 1);
		let nets = settle_zero_sum();
		assert!(nets.is_empty());
		assert_eq!(Orders::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_single_order_on_each_side() {
	new_test_ext().execute_with(|| {
		let m = four();
		// Bid 1,000 @ 180k, ask 600 @ 120k: the ask is exhausted, 400 Wh of the bid are
		// left, so L = max(120k, 180k) = 180k, U = 180k.
		let b = order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 180_000);
		let a = order(&alice(), &m.pa, SLOT, Side::Sell, 600, 120_000);
		run_to_slot(SLOT - 1);
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, c.volume, fill(b), fill(a)), (180_000, 600, 600, 600));
		assert_eq!(held(&charlie()), 108_000);
	});
}

#[test]
fn equal_prices_across_many_orders() {
	new_test_ext().execute_with(|| {
		let m = four();
		// Eight bids of 100 Wh and eight asks of 70 Wh, all at 150k: 560 Wh trade.
		let bids: Vec<u64> = (0..8)
			.map(|_| order(&charlie(), &m.cc, SLOT, Side::Buy, 100, 150_000))
			.collect();
		let asks: Vec<u64> =
			(0..8).map(|_| order(&alice(), &m.pa, SLOT, Side::Sell, 70, 150_000)).collect();
		run_to_slot(SLOT - 1);
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, c.volume), (150_000, 560));
		assert!(asks.iter().all(|a| fill(*a) == 70));
		// 560 shared by 8 equal bids: 70 each, no remainder.
		assert!(bids.iter().all(|b| fill(*b) == 70));
		// Trading with itself across meters nets out; the books still balance.
		meter_slot(&m.pa, 0, 560);
		run_to_slot(SLOT);
		read(&m.cc, SLOT, 0, 0);
		run_to_slot(SLOT + 1);
		read(&m.cc, SLOT + 1, 560, 0);
		let nets = settle_zero_sum();
		assert_eq!(net_of(&nets, &alice()), 84_000);
		assert_eq!(net_of(&nets, &charlie()), -84_000);
	});
}

#[test]
fn orders_at_the_band_edges_are_taken_and_outside_refused() {
	new_test_ext().execute_with(|| {
		let m = four();
		let b = order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, IMPORT);
		let a = order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, EXPORT);
		for price in [EXPORT - 1, IMPORT + 1] {
			assert_noop!(
				EnergyMarket::place_order(
					RuntimeOrigin::signed(alice()),
					m.pa.id(),
					SLOT,
					Side::Sell,
					10,
					price
				),
				Error::<Test>::PriceOutsideBand
			);
		}
		run_to_slot(SLOT - 1);
		// Both exhausted: the midpoint of the whole band.
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, fill(b), fill(a)), (150_000, 1_000, 1_000));
	});
}

#[test]
fn deviations_settle_at_grid_prices_with_the_grid_as_counterparty() {
	new_test_ext().execute_with(|| {
		let m = four();
		// The city: two prosumers sell, two consumers buy.
		order(&alice(), &m.pa, SLOT, Side::Sell, 3_000, 100_000);
		order(&bob(), &m.pb, SLOT, Side::Sell, 2_000, 120_000);
		order(&charlie(), &m.cc, SLOT, Side::Buy, 2_500, 200_000);
		order(&dave(), &m.cd, SLOT, Side::Buy, 2_000, 150_000);
		run_to_slot(SLOT - 1);
		let c = Clearings::<Test>::get((ZONE, SLOT)).unwrap();
		assert_eq!((c.price, c.volume), (120_000, 4_500));
		// Alice delivers 200 short, Bob 200 over, Charlie exactly, Dave takes 300 more.
		meter_slot(&m.pa, 0, 2_800);
		meter_slot(&m.pb, 0, 1_700);
		meter_slot(&m.cc, 2_500, 0);
		meter_slot(&m.cd, 2_300, 0);
		let nets = settle_zero_sum();
		assert_eq!(net_of(&nets, &alice()), 360_000 - 50_000);
		assert_eq!(net_of(&nets, &bob()), 180_000 + 10_000);
		assert_eq!(net_of(&nets, &charlie()), -300_000);
		assert_eq!(net_of(&nets, &dave()), -240_000 - 75_000);
		let totals = Clearings::<Test>::get((ZONE, SLOT)).unwrap().settled.unwrap();
		assert_eq!((totals.participants, totals.grid_net, totals.debt_recorded), (4, 115_000, 0));
	});
}

#[test]
fn a_missing_reading_after_the_window_counts_as_nothing_exported_and_full_capacity_imported() {
	new_test_ext().execute_with(|| {
		let m = four();
		// A meter of 5,000 Wh per slot.
		let small = meter_with_capacity("Small", &alice(), 5_000);
		order(&alice(), &small, SLOT, Side::Sell, 1_000, 100_000);
		order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		meter_slot(&m.cc, 1_000, 0);
		// Alice never reports: too early while her window is open.
		assert_noop!(
			EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT),
			Error::<Test>::SettlementTooEarly
		);
		run_to_slot(SLOT + 1 + test_params().reading_window);
		let nets = settle_zero_sum();
		// Sold 1,000 at 100k (+100,000); settled as m = −5,000 (nothing exported, 5,000 Wh
		// imported): d = −6,000, −⌈6000·250000/1000⌉.
		assert_eq!(net_of(&nets, &alice()), 100_000 - 1_500_000);
		let p = SettledPositions::<Test>::get((ZONE, SLOT), small.id()).unwrap();
		assert!(!p.metered);
		assert_eq!(p.metered_export_wh, -5_000);
	});
}

#[test]
fn charges_beyond_collateral_come_from_free_balance_then_become_debt() {
	new_test_ext().execute_with(|| {
		let m = four();
		order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		order(&dave(), &m.cd, SLOT, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		// Dave spends all but 50,000 of his free balance.
		use polkadot_sdk::frame_support::traits::{fungible::Mutate, tokens::Preservation};
		let spendable = Balances::reducible_balance(
			&dave(),
			Preservation::Preserve,
			polkadot_sdk::frame_support::traits::tokens::Fortitude::Polite,
		);
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&dave(),
			&bob(),
			spendable - 50_000,
			Preservation::Preserve
		));
		meter_slot(&m.pa, 0, 1_000);
		// Dave's meter took 40,000 Wh: 39,000 beyond his purchase, at λ_imp.
		meter_slot(&m.cd, 40_000, 0);
		let nets = settle_zero_sum();
		let owed = 100_000 + 39_000 * IMPORT / 1000;
		assert_eq!(net_of(&nets, &dave()), -(owed as i128));
		// Collateral 100,000, then his free 50,000 (the existential deposit stays).
		let debt = Debts::<Test>::get(dave(), grid()).unwrap();
		assert_eq!(debt, owed - 100_000 - 50_000);
		assert_eq!(
			SettledPositions::<Test>::get((ZONE, SLOT), m.cd.id()).unwrap().debt,
			u128::from(debt)
		);
		// The debt blocks new orders until paid.
		assert_noop!(
			EnergyMarket::place_order(
				RuntimeOrigin::signed(dave()),
				m.cd.id(),
				SLOT + 3,
				Side::Buy,
				10,
				100_000
			),
			Error::<Test>::OutstandingDebt
		);
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&bob(),
			&dave(),
			15_000_000,
			Preservation::Preserve
		));
		assert_noop!(
			EnergyMarket::pay_debt(RuntimeOrigin::signed(dave()), bob(), 1),
			Error::<Test>::NoDebt
		);
		let grid_before = total(&grid());
		assert_ok!(EnergyMarket::pay_debt(RuntimeOrigin::signed(dave()), grid(), 1_000));
		assert_eq!(Debts::<Test>::get(dave(), grid()), Some(debt - 1_000));
		assert_ok!(EnergyMarket::pay_debt(RuntimeOrigin::signed(dave()), grid(), debt));
		assert_eq!(Debts::<Test>::get(dave(), grid()), None);
		assert_eq!(total(&grid()), grid_before + debt);
		assert_ok!(EnergyMarket::place_order(
			RuntimeOrigin::signed(dave()),
			m.cd.id(),
			SLOT + 3,
			Side::Buy,
			10,
			100_000
		));
	});
}

#[test]
fn a_grid_that_cannot_pay_owes_the_rest() {
	new_test_ext().execute_with(|| {
		let m = four();
		order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		// Alice exports 300 MWh more than she sold: 15,000,000 at λ_exp, more than the
		// grid's 10,000,000 plus Charlie's 100,000.
		meter_slot(&m.pa, 0, 301_000);
		meter_slot(&m.cc, 1_000, 0);
		let nets = settle_zero_sum();
		let due = 100_000 + 300_000 * EXPORT / 1000;
		assert_eq!(net_of(&nets, &alice()), due as i128);
		// The grid paid all it could (keeping its existential deposit) and owes the rest.
		let paid = FUNDS + 100_000 - 1;
		assert_eq!(Debts::<Test>::get(grid(), alice()), Some(due - paid));
		System::assert_has_event(
			Event::DebtRecorded { debtor: grid(), creditor: alice(), amount: due - paid }.into(),
		);
	});
}

#[test]
fn readings_are_signed_monotonic_and_within_their_window() {
	new_test_ext().execute_with(|| {
		let m = four();
		// The future boundary is an unknown slot.
		assert_eq!(submit(m.pa.reading(1, 10, 10)), err(Error::UnknownSlot));
		read(&m.pa, 0, 10, 10);
		run_to_slot(1);
		assert_eq!(submit(m.pa.reading(1, 9, 10)), err(Error::NonMonotonicRegister));
		assert_eq!(submit(m.pa.reading(1, 10, 9)), err(Error::NonMonotonicRegister));
		assert_eq!(submit(m.pa.reading(0, 10, 10)), err(Error::ReadingExists));
		read(&m.pa, 1, 10, 10);
		run_to_slot(4);
		// Boundary 2's window (slots 2 and 3) has closed.
		assert_eq!(submit(m.pa.reading(2, 20, 20)), err(Error::ReadingWindowClosed));
		// An unbound meter's reading, and a forged one.
		let loose = MeterKey::new("Loose");
		loose.register_as(&alice(), DeviceKind::EnergyMeter);
		assert_eq!(submit(loose.reading(4, 0, 0)), err(Error::MeterNotBound));
		let forged = match m.pb.reading(4, 50, 50) {
			crate::Call::submit_reading {
				meter,
				nonce,
				slot_boundary,
				import_register_wh,
				export_register_wh,
				..
			} => {
				let crate::Call::submit_reading { signature, .. } = m.pa.reading(4, 50, 50) else {
					unreachable!()
				};
				crate::Call::<Test>::submit_reading {
					meter,
					nonce,
					slot_boundary,
					import_register_wh,
					export_register_wh,
					signature,
				}
			},
			_ => unreachable!(),
		};
		assert!(submit(forged).is_err());
		// The call itself refuses too (a direct dispatch changes nothing).
		let call = m.pa.reading(4, 5, 10);
		assert_noop!(
			call.dispatch_bypass_filter(RawOrigin::Authorized.into()),
			Error::<Test>::NonMonotonicRegister
		);
		let call = m.pa.reading(5, 50, 50);
		assert_noop!(
			call.dispatch_bypass_filter(RawOrigin::Authorized.into()),
			Error::<Test>::UnknownSlot
		);
		assert_noop!(
			m.pa.reading(4, 50, 50)
				.dispatch_bypass_filter(RawOrigin::Signed(alice()).into()),
			DispatchError::BadOrigin
		);
		read(&m.pa, 4, 50, 50);
		assert_eq!(Readings::<Test>::get(m.pa.id(), 4), Some((50, 50)));
	});
}

#[test]
fn order_rules_are_enforced_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let m = four();
		let place = |who: AccountId, key: &MeterKey, slot: u32, qty: u64, price: u64| {
			EnergyMarket::place_order(
				RuntimeOrigin::signed(who),
				key.id(),
				slot,
				Side::Buy,
				qty,
				price,
			)
		};
		// The gate of slot 1 is closed at slot 0; slot 2 is open.
		assert_noop!(place(charlie(), &m.cc, 1, 10, 100_000), Error::<Test>::GateClosed);
		for qty in [0, 9] {
			assert_noop!(
				place(charlie(), &m.cc, SLOT, qty, 100_000),
				Error::<Test>::QuantityTooSmall
			);
		}
		// Beyond the horizon (10 slots ahead of slot 0).
		assert_noop!(place(charlie(), &m.cc, 11, 10, 100_000), Error::<Test>::BeyondHorizon);
		// More than the meter's capacity in a slot, at once or summed.
		assert_noop!(
			place(charlie(), &m.cc, SLOT, CAPACITY_WH + 1, 50_000),
			Error::<Test>::OverCapacity
		);
		assert_noop!(place(bob(), &m.cc, SLOT, 10, 100_000), Error::<Test>::NotMeterOwner);
		let loose = MeterKey::new("Loose");
		loose.register_as(&charlie(), DeviceKind::EnergyMeter);
		assert_noop!(place(charlie(), &loose, SLOT, 10, 100_000), Error::<Test>::MeterNotBound);
		// More than the free balance can hold.
		assert_noop!(
			place(charlie(), &m.cc, SLOT, 300_000, 100_000),
			Error::<Test>::InsufficientCollateral
		);
		// The cap per meter and (slot, side), then per (zone, slot, side).
		for _ in 0..8 {
			order(&charlie(), &m.cc, SLOT, Side::Buy, 10, 100_000);
		}
		assert_noop!(place(charlie(), &m.cc, SLOT, 10, 100_000), Error::<Test>::TooManyMeterOrders);
		for _ in 0..4 {
			order(&dave(), &m.cd, SLOT, Side::Buy, 10, 100_000);
		}
		assert_noop!(place(alice(), &m.pa, SLOT, 10, 100_000), Error::<Test>::TooManyOrders);
		// The other side and other slots are separate books.
		order(&charlie(), &m.cc, SLOT, Side::Sell, 10, 100_000);
		order(&charlie(), &m.cc, SLOT + 1, Side::Buy, 10, 100_000);
		// A suspended meter trades no more.
		assert_ok!(DeviceRegistry::set_device_status(
			RuntimeOrigin::root(),
			m.pb.id(),
			DeviceStatus::Suspended
		));
		assert_noop!(place(bob(), &m.pb, SLOT, 10, 100_000), Error::<Test>::MeterNotActive);
		// Settling what is not cleared.
		assert_noop!(
			EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT),
			Error::<Test>::NotCleared
		);
		run_to_slot(SLOT - 1);
		assert_noop!(place(charlie(), &m.cc, SLOT, 10, 100_000), Error::<Test>::GateClosed);
		assert_noop!(
			EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT),
			Error::<Test>::SettlementTooEarly
		);
		// Charlie's bid and ask crossed: his meter traded and its readings are missing.
		run_to_slot(SLOT + 1 + test_params().reading_window);
		assert_ok!(EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT));
		assert_noop!(
			EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT),
			Error::<Test>::AlreadySettled
		);
	});
}

#[test]
fn cancelling_releases_collateral_until_the_gate_closes() {
	new_test_ext().execute_with(|| {
		let m = four();
		let id = order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 100_000);
		let kept = order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 100_000);
		assert_eq!(held(&charlie()), 200_000);
		assert_noop!(
			EnergyMarket::cancel_order(RuntimeOrigin::signed(bob()), id),
			Error::<Test>::NotOrderOwner
		);
		assert_noop!(
			EnergyMarket::cancel_order(RuntimeOrigin::signed(charlie()), 99),
			Error::<Test>::UnknownOrder
		);
		assert_ok!(EnergyMarket::cancel_order(RuntimeOrigin::signed(charlie()), id));
		assert_eq!(held(&charlie()), 100_000);
		assert_eq!(Books::<Test>::get((ZONE, SLOT, Side::Buy)).into_inner(), vec![kept]);
		System::assert_last_event(Event::OrderCancelled { order: id }.into());
		run_to_slot(SLOT - 1);
		assert_noop!(
			EnergyMarket::cancel_order(RuntimeOrigin::signed(charlie()), kept),
			Error::<Test>::GateClosed
		);
	});
}

#[test]
fn zones_and_meters() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			EnergyMarket::set_zone(RuntimeOrigin::signed(alice()), 2, IMPORT, EXPORT, grid()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EnergyMarket::set_zone(RuntimeOrigin::root(), 2, 100, 101, grid()),
			Error::<Test>::InvalidPrices
		);
		assert_noop!(
			EnergyMarket::set_zone(RuntimeOrigin::root(), 2, 0, 0, grid()),
			Error::<Test>::InvalidPrices
		);
		for zone in 2..=4 {
			assert_ok!(EnergyMarket::set_zone(RuntimeOrigin::root(), zone, IMPORT, EXPORT, grid()));
		}
		assert_noop!(
			EnergyMarket::set_zone(RuntimeOrigin::root(), 5, IMPORT, EXPORT, grid()),
			Error::<Test>::TooManyZones
		);
		// Updating an existing zone is not a new one.
		assert_ok!(EnergyMarket::set_zone(RuntimeOrigin::root(), 4, 300_000, 40_000, bob()));

		let key = MeterKey::new("M");
		let bind = |who: AccountId, zone: u32| {
			EnergyMarket::bind_meter(RuntimeOrigin::signed(who), key.id(), zone, CAPACITY_WH)
		};
		assert_noop!(bind(alice(), ZONE), Error::<Test>::NotAnEnergyMeter);
		let hotspot = MeterKey::new("H");
		hotspot.register_as(&alice(), DeviceKind::Hotspot);
		assert_noop!(
			EnergyMarket::bind_meter(
				RuntimeOrigin::signed(alice()),
				hotspot.id(),
				ZONE,
				CAPACITY_WH
			),
			Error::<Test>::NotAnEnergyMeter
		);
		key.register_as(&alice(), DeviceKind::EnergyMeter);
		assert_noop!(bind(bob(), ZONE), Error::<Test>::NotMeterOwner);
		assert_noop!(bind(alice(), 9), Error::<Test>::UnknownZone);
		// A capacity that does not deliver the smallest order (10 Wh) in a slot.
		assert_noop!(
			EnergyMarket::bind_meter(RuntimeOrigin::signed(alice()), key.id(), ZONE, 9),
			Error::<Test>::InvalidCapacity
		);
		// Issue 15, item 22 (the `clearing` fuzz target): nor one so large that a book's
		// orders could sum past u64::MAX Wh. Before: any capacity up to u64::MAX was bound.
		assert_noop!(
			EnergyMarket::bind_meter(
				RuntimeOrigin::signed(alice()),
				key.id(),
				ZONE,
				crate::MAX_METER_CAPACITY_WH + 1
			),
			Error::<Test>::InvalidCapacity
		);
		assert_ok!(bind(alice(), ZONE));
		System::assert_last_event(
			Event::MeterBound { meter: key.id(), zone: ZONE, capacity_wh: CAPACITY_WH }.into(),
		);
		assert_noop!(bind(alice(), 2), Error::<Test>::MeterAlreadyBound);
		// An order makes a position: the meter stays until its slot is settled.
		order(&alice(), &key, SLOT, Side::Sell, 10, 100_000);
		let unbind =
			|who: AccountId| EnergyMarket::unbind_meter(RuntimeOrigin::signed(who), key.id());
		assert_noop!(unbind(bob()), Error::<Test>::NotMeterOwner);
		assert_noop!(unbind(alice()), Error::<Test>::OpenPosition);
		run_to_slot(SLOT + 1 + test_params().reading_window);
		assert_noop!(unbind(alice()), Error::<Test>::OpenPosition);
		assert_ok!(EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT));
		assert_ok!(unbind(alice()));
		assert!(!Meters::<Test>::contains_key(key.id()));
		assert_noop!(unbind(alice()), Error::<Test>::MeterNotBound);
	});
}

#[test]
fn clearing_is_bounded_per_block_and_done_before_delivery() {
	new_test_ext().execute_with(|| {
		let m = four();
		for zone in 2..=4 {
			assert_ok!(EnergyMarket::set_zone(RuntimeOrigin::root(), zone, IMPORT, EXPORT, grid()));
		}
		// One meter per zone, each with a crossing book for SLOT.
		let keys: Vec<MeterKey> = (2..=4)
			.map(|zone| {
				let key = MeterKey::new(&format!("Z{zone}"));
				key.register_as(&alice(), DeviceKind::EnergyMeter);
				assert_ok!(EnergyMarket::bind_meter(
					RuntimeOrigin::signed(alice()),
					key.id(),
					zone,
					CAPACITY_WH
				));
				key
			})
			.collect();
		for key in keys.iter().chain([&m.pa]) {
			order(&alice(), key, SLOT, Side::Sell, 100, 100_000);
			order(&alice(), key, SLOT, Side::Buy, 100, 100_000);
		}
		assert_eq!(ClearingDue::<Test>::get(SLOT).len(), 4);
		// MaxClearingsPerBlock = 1: one book per block from the gate on.
		run_to_slot(SLOT - 1);
		assert_eq!(Clearings::<Test>::iter().count(), 1);
		next_block();
		next_block();
		next_block();
		assert_eq!(Clearings::<Test>::iter().count(), 4);
		assert!(!ClearingDue::<Test>::contains_key(SLOT));
	});
}

#[test]
fn an_unconfigured_market_refuses_orders() {
	new_test_ext().execute_with(|| {
		let m = four();
		crate::Params::<Test>::kill();
		assert_noop!(
			EnergyMarket::place_order(
				RuntimeOrigin::signed(alice()),
				m.pa.id(),
				SLOT,
				Side::Sell,
				10,
				100_000
			),
			Error::<Test>::NotConfigured
		);
		assert_eq!(submit(m.pa.reading(0, 1, 1)), err(Error::NotConfigured));
	});
}

#[test]
fn runtime_api_reads_show_the_book_clearing_and_positions() {
	new_test_ext().execute_with(|| {
		let m = four();
		let ask = order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		order(&charlie(), &m.cc, SLOT, Side::Buy, 600, 200_000);
		let book = EnergyMarket::order_book(ZONE, SLOT);
		assert!(!book.gate_closed);
		assert_eq!((book.bids.len(), book.asks.len()), (1, 1));
		assert_eq!(book.asks[0].filled_wh, None);
		let p = EnergyMarket::position(&alice(), ZONE, SLOT);
		assert_eq!((p.offered_wh, p.collateral_held), (1_000, 250_000));
		assert_eq!(EnergyMarket::clearing_view(ZONE, SLOT), None);
		run_to_slot(SLOT - 1);
		let book = EnergyMarket::order_book(ZONE, SLOT);
		assert!(book.gate_closed);
		assert_eq!(book.asks[0].id, ask);
		assert_eq!(book.asks[0].filled_wh, Some(600));
		let c = EnergyMarket::clearing_view(ZONE, SLOT).unwrap();
		assert_eq!((c.price, c.volume), (100_000, 600));
		meter_slot(&m.pa, 0, 500);
		meter_slot(&m.cc, 600, 0);
		let p = EnergyMarket::position(&alice(), ZONE, SLOT);
		assert_eq!(
			(p.sold_wh, p.metered_export_wh, p.trade, p.deviation, p.settled),
			(600, 500, 60_000, -25_000, false)
		);
		settle_zero_sum();
		let p = EnergyMarket::position(&alice(), ZONE, SLOT);
		assert_eq!((p.sold_wh, p.trade, p.deviation, p.settled), (600, 60_000, -25_000, true));
		assert!(EnergyMarket::clearing_view(ZONE, SLOT).unwrap().settled.is_some());
		assert_eq!(EnergyMarket::debt(&alice(), &grid()), 0);
	});
}

// ---- Attacks (issue 15, items 6–10): each test failed before its fix ----

/// Item 6. Before: a meter's export was paid once per owner that had traded through it in
/// the slot — bid 100 Wh through PA, hand PA to Bob, sell 100 Wh through it from Bob, and
/// the grid paid PA's whole export to both (about 2·X·λ_exp). Now a meter with orders in an
/// unsettled slot cannot change owner or leave, and settlement counts each meter once.
#[test]
fn a_meter_with_an_open_position_keeps_its_owner_and_settles_once() {
	new_test_ext().execute_with(|| {
		let m = four();
		order(&alice(), &m.pa, SLOT, Side::Buy, 100, 100_000);
		order(&charlie(), &m.cc, SLOT, Side::Sell, 100, 100_000);
		// The attack's next step: hand PA to Bob, who would sell through it too.
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(alice()), m.pa.id(), bob()),
			Error::<Test>::OpenPosition
		);
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), m.pa.id()),
			Error::<Test>::OpenPosition
		);
		run_to_slot(SLOT - 1);
		// PA exports 10,000 Wh although it bought 100: d = 10,100, paid once.
		meter_slot(&m.pa, 0, 10_000);
		meter_slot(&m.cc, 0, 100);
		settle_zero_sum();
		let positions: Vec<_> = SettledPositions::<Test>::iter_prefix((ZONE, SLOT))
			.filter(|(meter, _)| *meter == m.pa.id())
			.collect();
		assert_eq!(positions.len(), 1);
		assert_eq!(positions[0].1.deviation, 10_100 * EXPORT as i128 / 1000);
		// Settled, the meter is free to change hands.
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(alice()),
			m.pa.id(),
			bob()
		));
		assert_ok!(DeviceRegistry::accept_device(RuntimeOrigin::signed(bob()), m.pa.id()));
	});
}

/// Item 7. Before: a buyer that sent no readings counted as m = 0 and was paid
/// `bought · λ_exp` on top of its purchase. Now a meter with a reading missing settles as
/// the worst reading it could have sent (nothing exported, full capacity imported), so
/// withholding never beats any honest reading.
#[test]
fn withholding_readings_never_settles_better_than_any_reading() {
	new_test_ext().execute_with(|| {
		let m = four();
		// Charlie's meter: at most 2,000 Wh per slot.
		let buyer = meter_with_capacity("Buyer", &charlie(), 2_000);
		order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		order(&charlie(), &buyer, SLOT, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		meter_slot(&m.pa, 0, 1_000);
		// Charlie never reports.
		run_to_slot(SLOT + 1 + test_params().reading_window);
		let nets = settle_zero_sum();
		let withheld = net_of(&nets, &charlie());
		// What each reading he could have sent (0 ..= 2,000 Wh imported) would have paid.
		let prices =
			crate::settlement::Prices { clearing: 100_000, import: IMPORT, export: EXPORT };
		for imported in (0..=2_000i128).step_by(50) {
			let honest = crate::settlement::Position {
				bought_wh: 1_000,
				sold_wh: 0,
				metered_export_wh: -imported,
			};
			let (amounts, _) = crate::settlement::settle(&[honest], &prices);
			assert!(
				withheld <= amounts[0].net(),
				"withholding ({withheld}) beat a reading of {imported} Wh ({})",
				amounts[0].net()
			);
		}
		assert_eq!(withheld, -100_000 - 250_000);
	});
}

/// Item 8. Before: a debtor handed its meter to another account, which traded on, and
/// deregistering returned the deposit to the debtor. Now the debt follows the meter: it
/// cannot change owner, leave or trade until its debtor has paid.
#[test]
fn a_debt_follows_the_meter() {
	new_test_ext().execute_with(|| {
		let m = four();
		order(&alice(), &m.pa, SLOT, Side::Sell, 1_000, 100_000);
		order(&dave(), &m.cd, SLOT, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT - 1);
		// Dave keeps 10 of his free balance, and his meter takes 40,000 Wh: a debt.
		use polkadot_sdk::frame_support::traits::{
			fungible::Mutate,
			tokens::{Fortitude, Preservation},
		};
		let spendable =
			Balances::reducible_balance(&dave(), Preservation::Preserve, Fortitude::Polite);
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&dave(),
			&bob(),
			spendable - 200,
			Preservation::Preserve
		));
		meter_slot(&m.pa, 0, 1_000);
		meter_slot(&m.cd, 40_000, 0);
		settle_zero_sum();
		let debt = Debts::<Test>::get(dave(), grid()).expect("Dave owes the grid");
		// The escape routes are closed.
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(dave()), m.cd.id(), bob()),
			Error::<Test>::MeterInDebt
		);
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(dave()), m.cd.id()),
			Error::<Test>::MeterInDebt
		);
		assert_noop!(
			EnergyMarket::unbind_meter(RuntimeOrigin::signed(dave()), m.cd.id()),
			Error::<Test>::MeterInDebt
		);
		// Paid, the meter is free.
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&bob(),
			&dave(),
			debt + 100,
			Preservation::Preserve
		));
		assert_ok!(EnergyMarket::pay_debt(RuntimeOrigin::signed(dave()), grid(), debt));
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(dave()),
			m.cd.id(),
			bob()
		));
		assert_ok!(DeviceRegistry::accept_device(RuntimeOrigin::signed(bob()), m.cd.id()));
		order(&bob(), &m.cd, SLOT + 4, Side::Buy, 10, 100_000);
	});
}

/// Item 9. Before: one meter could fill a (zone, slot, side) with one-Wh orders at almost
/// no collateral, for any future slot, and honest orders got `TooManyOrders`. Now orders
/// have a minimum size, a meter a cap per book and a capacity, and slots a horizon.
#[test]
fn one_meter_cannot_fill_a_book() {
	new_test_ext().execute_with(|| {
		let m = four();
		let place = |qty: u64, slot: u32| {
			EnergyMarket::place_order(
				RuntimeOrigin::signed(bob()),
				m.pb.id(),
				slot,
				Side::Buy,
				qty,
				EXPORT,
			)
		};
		assert_noop!(place(1, SLOT), Error::<Test>::QuantityTooSmall);
		assert_noop!(place(10, 1_000), Error::<Test>::BeyondHorizon);
		let placed = (0..12).filter(|_| place(10, SLOT).is_ok()).count();
		assert_eq!(placed, 8, "one meter holds at most MaxOrdersPerMeter orders of a book");
		// The book still takes honest orders.
		order(&charlie(), &m.cc, SLOT, Side::Buy, 1_000, 200_000);
	});
}

/// Item 10. Before: a reading could claim any export (one extracted meter key could drain
/// the grid), and a receipt the grid could not pay was recorded as earned in full. Now a
/// register advances at most the meter's capacity per slot, and only what was paid is
/// earned (the rest when the grid pays its debt).
#[test]
fn readings_are_bounded_by_capacity_and_only_paid_receipts_are_earned() {
	new_test_ext().execute_with(|| {
		let small = meter_with_capacity("Small", &alice(), 5_000);
		read(&small, 0, 0, 0);
		run_to_slot(1);
		assert_eq!(submit(small.reading(1, 0, 5_001)), err(Error::ImplausibleReading));
		assert_eq!(submit(small.reading(1, 5_001, 0)), err(Error::ImplausibleReading));
		read(&small, 1, 0, 5_000);
		// Two slots later the bound is two slots' worth.
		run_to_slot(3);
		assert_eq!(submit(small.reading(3, 0, 15_001)), err(Error::ImplausibleReading));
		read(&small, 3, 10_000, 15_000);
		// The direct dispatch refuses too.
		run_to_slot(4);
		assert_noop!(
			small
				.reading(4, 10_000, 20_001)
				.dispatch_bypass_filter(RawOrigin::Authorized.into()),
			Error::<Test>::ImplausibleReading
		);

		// A receipt the grid cannot pay in full: earned as paid.
		let m = four();
		order(&alice(), &m.pa, SLOT + 4, Side::Sell, 1_000, 100_000);
		order(&charlie(), &m.cc, SLOT + 4, Side::Buy, 1_000, 100_000);
		run_to_slot(SLOT + 4);
		read(&m.pa, SLOT + 4, 0, 0);
		read(&m.cc, SLOT + 4, 0, 0);
		run_to_slot(SLOT + 5);
		read(&m.pa, SLOT + 4 + 1, 0, 301_000);
		read(&m.cc, SLOT + 4 + 1, 1_000, 0);
		assert_ok!(EnergyMarket::settle_slot(RuntimeOrigin::signed(bob()), ZONE, SLOT + 4));
		let owed = Debts::<Test>::get(grid(), alice()).expect("the grid owes Alice");
		let due = 100_000 + 300_000 * EXPORT / 1000;
		let earned = || assay_primitives::testing::earned(&alice(), EarningSource::Energy);
		assert_eq!(earned(), u128::from(due - owed));
		// The grid pays its debt: the rest is earned then.
		use polkadot_sdk::frame_support::traits::{fungible::Mutate, tokens::Preservation};
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&bob(),
			&grid(),
			owed,
			Preservation::Preserve
		));
		assert_ok!(EnergyMarket::pay_debt(RuntimeOrigin::signed(grid()), alice(), owed));
		assert_eq!(earned(), u128::from(due));
	});
}
