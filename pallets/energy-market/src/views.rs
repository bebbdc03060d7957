//! Reads for the runtime API (`EnergyApi`): order books, clearings, positions, debts.
//! Nothing here writes.

use crate::{
	settlement::{self, Position, Prices},
	BalanceOf, ClearingView, Clearings, Config, Debts, OrderBookView, OrderView, Pallet,
	PositionView, SettledPositions, Side, SlotIndex, ZoneId,
};
use alloc::vec::Vec;
use polkadot_sdk::sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// `EnergyApi::order_book`.
	pub fn order_book(zone: ZoneId, slot: SlotIndex) -> OrderBookView<T::AccountId, BalanceOf<T>> {
		let clearing = Clearings::<T>::get((zone, slot));
		let gate_closed =
			Self::params().map(|p| Self::check_gate_open(slot, &p).is_err()).unwrap_or(true);
		let mut view = OrderBookView { bids: Vec::new(), asks: Vec::new(), gate_closed };
		for (id, order, fill) in Self::slot_orders(zone, slot, clearing.as_ref()) {
			let side = order.side;
			let item = OrderView { id, order, filled_wh: clearing.as_ref().map(|_| fill) };
			match side {
				Side::Buy => view.bids.push(item),
				Side::Sell => view.asks.push(item),
			}
		}
		view
	}

	/// `EnergyApi::clearing`.
	pub fn clearing_view(zone: ZoneId, slot: SlotIndex) -> Option<ClearingView<T::AccountId>> {
		Clearings::<T>::get((zone, slot)).map(|c| ClearingView {
			price: c.price,
			volume: c.volume,
			import_price: c.import_price,
			export_price: c.export_price,
			grid_account: c.grid_account,
			settled: c.settled,
		})
	}

	/// `EnergyApi::position`: `who`'s position in (zone, slot), over all its meters. Before
	/// settlement, a missing reading counts as settlement would count it now (nothing
	/// exported, full capacity imported).
	pub fn position(
		who: &T::AccountId,
		zone: ZoneId,
		slot: SlotIndex,
	) -> PositionView<BalanceOf<T>> {
		let mut view = PositionView::default();
		let clearing = Clearings::<T>::get((zone, slot));
		if clearing.as_ref().is_some_and(|c| c.settled.is_some()) {
			view.settled = true;
			for (_, p) in
				SettledPositions::<T>::iter_prefix((zone, slot)).filter(|(_, p)| &p.owner == who)
			{
				view.bought_wh = view.bought_wh.saturating_add(p.bought_wh);
				view.sold_wh = view.sold_wh.saturating_add(p.sold_wh);
				view.metered_export_wh = view.metered_export_wh.saturating_add(p.metered_export_wh);
				view.trade = view.trade.saturating_add(p.trade);
				view.deviation = view.deviation.saturating_add(p.deviation);
				view.debt = view.debt.saturating_add(p.debt);
			}
			return view;
		}
		let orders: Vec<_> = Self::slot_orders(zone, slot, clearing.as_ref())
			.into_iter()
			.filter(|(_, o, _)| &o.owner == who)
			.collect();
		for (_, order, fill) in &orders {
			match order.side {
				Side::Buy => view.bid_wh = view.bid_wh.saturating_add(order.qty_wh),
				Side::Sell => view.offered_wh = view.offered_wh.saturating_add(order.qty_wh),
			}
			let held = if clearing.is_some() {
				Self::kept_collateral(order, *fill)
			} else {
				order.collateral
			};
			view.collateral_held = view.collateral_held.saturating_add(held);
		}
		if let Some(c) = clearing {
			let prices =
				Prices { clearing: c.price, import: c.import_price, export: c.export_price };
			for part in Self::participants(&orders) {
				let position = Position {
					bought_wh: part.bought_wh,
					sold_wh: part.sold_wh,
					metered_export_wh: Self::settled_export(
						&part.meter,
						Self::metered_export(&part.meter, slot),
					),
				};
				view.bought_wh = view.bought_wh.saturating_add(part.bought_wh);
				view.sold_wh = view.sold_wh.saturating_add(part.sold_wh);
				view.metered_export_wh =
					view.metered_export_wh.saturating_add(position.metered_export_wh);
				view.trade =
					view.trade.saturating_add(settlement::trade_amount(&position, &prices));
				view.deviation =
					view.deviation.saturating_add(settlement::deviation_amount(&position, &prices));
			}
		}
		view
	}

	/// `EnergyApi::debt`: what `debtor` owes `creditor`.
	pub fn debt(debtor: &T::AccountId, creditor: &T::AccountId) -> BalanceOf<T> {
		Debts::<T>::get(debtor, creditor).unwrap_or_default()
	}
}
