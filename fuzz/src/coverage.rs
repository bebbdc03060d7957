//! Proof of coverage's pure maths: the witness checks (`checks::verify_witness`, with the
//! H3 grid distance, its fallback and the fixed-point free-space limit), the incremental
//! hex density against the batch computation, and the reward units and pro-rata shares.
//!
//! Places are drawn near a few bases where H3 is hard (the twelve resolution-0 pentagons,
//! a point on an icosahedron face boundary) and near Lisbon, or anywhere on Earth.
//!
//! Invariants:
//! - a witness that passes has passed every rule: both active, a different id, the
//!   commitment of its id, frequencies within 100 kHz, one region, at least 8 grid steps
//!   (or, where H3 cannot measure, 500 m) and at least 100 m apart, at most 100 km apart,
//!   an RSSI at most the free-space limit, not denied, not duplicate, reciprocal;
//! - the minimum-distance check and the distance are symmetric;
//! - the free-space limit falls with distance;
//! - incremental density (one hotspot added or removed at a time, the pallet's FIFO of
//!   cells to recompute) reaches the batch `DensityMap::compute` for every cell, and every
//!   hotspot's scale is at most 1 and the same both ways;
//! - a beacon's units stay under their caps, and pro-rata shares plus the remainder are the
//!   pot.

use arbitrary::Arbitrary;
use h3o::{CellIndex, LatLng, Resolution};
use pallet_proof_of_coverage::{
	checks::{self, BeaconFacts, Context, Region, Station, WitnessReport},
	density::{self, Counts, CountsStore, DensityMap},
	epoch_rewards, fspl, reward_units,
};
use polkadot_sdk::sp_arithmetic::{
	traits::{One, Saturating},
	FixedPointNumber, FixedU128,
};
use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	sync::OnceLock,
};

/// Where a hotspot is.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Place {
	/// Within about ±32 km (metres north and east) of base `base` (modulo the bases).
	Near {
		/// Which base.
		base: u8,
		/// Metres north.
		north_m: i16,
		/// Metres east.
		east_m: i16,
	},
	/// Anywhere: latitude and longitude in microdegrees (clamped).
	Anywhere {
		/// Latitude, µ°.
		lat_e6: i32,
		/// Longitude, µ°.
		lng_e6: i32,
	},
	/// A raw H3 index (used when valid).
	Raw(u64),
}

/// A hotspot's side of a beacon or witness.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct RawStation {
	/// Id byte (the id is 32 of it).
	pub id: u8,
	/// Where.
	pub place: Place,
	/// Antenna gain, tenths of dBi.
	pub gain_dbi_x10: i16,
	/// Whether on the US plan (else EU).
	pub us915: bool,
	/// Whether Active.
	pub active: bool,
}

/// One case.
#[derive(Arbitrary, Debug)]
pub struct Input {
	/// The beacon's payload, transmit power and frequency (an offset from its channel, or
	/// raw).
	pub beacon: ([u8; 32], i16, FrequencyChoice),
	/// The beaconer.
	pub beaconer: RawStation,
	/// The witness.
	pub witness: RawStation,
	/// The witness's commitment: the right one, or raw bytes.
	pub commitment: Option<[u8; 32]>,
	/// Reported RSSI, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// The frequency the witness reports.
	pub witness_frequency: FrequencyChoice,
	/// (edge denied, duplicate, reciprocal).
	pub context: (bool, bool, bool),
	/// Density: hotspots added (true) or removed (false), in order.
	pub density: Vec<(Place, bool)>,
	/// Whether the density work runs after each change (else once, after all of them).
	pub settle_each: bool,
	/// Reward units: (witnesses selected, scale numerator, scale denominator) per beacon.
	pub units: Vec<(u8, u32, u32)>,
	/// The pot to share.
	pub pot: u128,
}

/// A frequency: its channel plus an offset in Hz, or any value.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FrequencyChoice {
	/// The payload's channel plus this many Hz.
	Channel(i32),
	/// Any frequency.
	Raw(u64),
}

/// The bases: the resolution-0 pentagons' centres, a point on an icosahedron face
/// boundary, and Lisbon.
fn bases() -> &'static [LatLng] {
	static BASES: OnceLock<Vec<LatLng>> = OnceLock::new();
	BASES.get_or_init(|| {
		let mut bases: Vec<LatLng> = Resolution::Zero.pentagons().map(LatLng::from).collect();
		// Along the equator, the first resolution-7 cell that lies on two faces.
		let boundary = (0..36_000)
			.filter_map(|i| LatLng::new(0.0, -180.0 + f64::from(i) * 0.01).ok())
			.map(|ll| ll.to_cell(Resolution::Seven))
			.find(|cell| cell.icosahedron_faces().len() > 1)
			.map(LatLng::from)
			.expect("a cell on a face boundary");
		bases.push(boundary);
		bases.push(LatLng::new(38.7223, -9.1393).expect("Lisbon"));
		bases
	})
}

/// The cell of `place` at `resolution`.
fn cell(place: Place, resolution: Resolution) -> CellIndex {
	let ll = match place {
		Place::Near { base, north_m, east_m } => {
			let b = bases()[usize::from(base) % bases().len()];
			let lat = (b.lat() + f64::from(north_m) / 111_320.0).clamp(-89.9, 89.9);
			let lng = b.lng() + f64::from(east_m) / (111_320.0 * lat.to_radians().cos());
			let lng = (lng + 540.0).rem_euclid(360.0) - 180.0;
			LatLng::new(lat, lng).unwrap_or(b)
		},
		Place::Anywhere { lat_e6, lng_e6 } => {
			let lat = (f64::from(lat_e6) / 1e6).clamp(-90.0, 90.0);
			let lng = (f64::from(lng_e6) / 1e6).clamp(-180.0, 180.0);
			LatLng::new(lat, lng).unwrap_or(bases()[0])
		},
		Place::Raw(raw) => match CellIndex::try_from(raw) {
			Ok(c) if c.resolution() >= resolution => return c.parent(resolution).unwrap_or(c),
			Ok(c) => return c.center_child(resolution).unwrap_or(c),
			Err(_) => bases()[(raw % bases().len() as u64) as usize],
		},
	};
	ll.to_cell(resolution)
}

fn station(raw: &RawStation) -> Station {
	Station {
		id: [raw.id; 32],
		cell: cell(raw.place, Resolution::Twelve),
		gain_dbi_x10: raw.gain_dbi_x10,
		region: if raw.us915 { Region::Us915 } else { Region::Eu868 },
		active: raw.active,
	}
}

fn frequency(choice: FrequencyChoice, payload: &[u8; 32], region: Region) -> u64 {
	match choice {
		FrequencyChoice::Channel(offset) => {
			checks::channel(payload, region).saturating_add_signed(i64::from(offset))
		},
		FrequencyChoice::Raw(hz) => hz,
	}
}

/// Checks one case; panics on a broken invariant.
pub fn check(input: &Input) {
	check_witness(input);
	check_density(&input.density, input.settle_each);
	check_rewards(input);
}

fn check_witness(input: &Input) {
	let (payload, tx_power_dbm, beacon_frequency) = input.beacon;
	let beaconer = station(&input.beaconer);
	let witness = station(&input.witness);
	let beacon = BeaconFacts {
		payload,
		tx_power_dbm,
		frequency_hz: frequency(beacon_frequency, &payload, beaconer.region),
	};
	let report = WitnessReport {
		commitment: input
			.commitment
			.unwrap_or_else(|| checks::witness_commitment(&payload, &witness.id)),
		rssi_dbm_x10: input.rssi_dbm_x10,
		frequency_hz: frequency(input.witness_frequency, &payload, witness.region),
	};
	let (edge_denied, duplicate, reciprocal) = input.context;
	let context = Context { edge_denied, duplicate, reciprocal };
	let (a, b) = (beaconer.cell, witness.cell);

	let distance = checks::distance_m(a, b);
	assert_eq!(distance, checks::distance_m(b, a), "distance is not symmetric");
	assert_eq!(
		checks::check_min_distance(a, b),
		checks::check_min_distance(b, a),
		"the minimum distance is not symmetric"
	);
	if checks::check_min_distance(a, b).is_ok() {
		assert!(distance >= 100, "{a} and {b} are {distance} m apart and pass the minimum");
	}
	// Twice the distance, at least 6 dB weaker.
	if (1..=50_000).contains(&distance) {
		let limit = |d| fspl::max_rssi_milli_dbm(tx_power_dbm, 30, 30, d, 868_100_000);
		if let (Some(near), Some(far)) = (limit(distance), limit(distance * 2)) {
			assert!(far <= near - 5_900, "the free-space limit does not fall: {near} → {far}");
		}
	}

	let verdict = checks::verify_witness(&beacon, &beaconer, &witness, &report, &context);
	if verdict.is_ok() {
		assert!(beaconer.active && witness.active && beaconer.id != witness.id);
		assert!(!edge_denied && !duplicate && reciprocal);
		assert_eq!(report.commitment, checks::witness_commitment(&payload, &witness.id));
		assert!(beacon.frequency_hz.abs_diff(report.frequency_hz) <= 100_000);
		assert_eq!(beaconer.region, witness.region);
		match checks::grid_distance(a, b) {
			Some(steps) => assert!(steps >= checks::MIN_GRID_DISTANCE),
			None => assert!(distance >= checks::MIN_FALLBACK_DISTANCE_M),
		}
		assert!((100..=checks::MAX_DISTANCE_M).contains(&distance));
		let limit = fspl::max_rssi_milli_dbm(
			tx_power_dbm,
			beaconer.gain_dbi_x10,
			witness.gain_dbi_x10,
			distance.max(1),
			report.frequency_hz,
		)
		.expect("a passing witness has a limit");
		assert!(i64::from(report.rssi_dbm_x10) * 100 <= limit, "RSSI above the limit passed");
	}
}

/// Works through the queue of cells to recompute (FIFO, each cell queued once), as the
/// pallet's hook does.
fn settle(
	store: &mut BTreeMap<CellIndex, Counts>,
	queue: &mut VecDeque<CellIndex>,
	queued: &mut BTreeSet<CellIndex>,
	steps: &mut u32,
) {
	while let Some(next) = queue.pop_front() {
		queued.remove(&next);
		*steps += 1;
		assert!(*steps < 1_000_000, "the incremental density does not settle");
		for more in density::recompute(store, next) {
			if queued.insert(more) {
				queue.push_back(more);
			}
		}
	}
}

/// Incremental density, as the pallet runs it, against the batch computation.
fn check_density(ops: &[(Place, bool)], settle_each: bool) {
	let mut store: BTreeMap<CellIndex, Counts> = BTreeMap::new();
	let mut hotspots: BTreeMap<CellIndex, u32> = BTreeMap::new();
	let mut queue: VecDeque<CellIndex> = VecDeque::new();
	let mut queued: BTreeSet<CellIndex> = BTreeSet::new();
	let mut steps = 0u32;
	for (place, added) in ops.iter().take(48) {
		let cell = cell(*place, Resolution::Eleven);
		let count = hotspots.entry(cell).or_default();
		if *added {
			*count += 1;
		} else if *count > 0 {
			*count -= 1;
		}
		if let Some(next) = density::add_hotspot(&mut store, cell, *added) {
			if queued.insert(next) {
				queue.push_back(next);
			}
		}
		if settle_each {
			settle(&mut store, &mut queue, &mut queued, &mut steps);
		}
	}
	settle(&mut store, &mut queue, &mut queued, &mut steps);
	let batch = DensityMap::compute(&hotspots);
	let mut cells: BTreeSet<CellIndex> = store.keys().copied().collect();
	for cell in hotspots.keys() {
		let mut c = Some(*cell);
		while let Some(x) = c {
			cells.insert(x);
			c = x
				.resolution()
				.pred()
				.and_then(|r| x.parent(r))
				.filter(|p| p.resolution() >= Resolution::Four);
		}
	}
	for cell in &cells {
		assert_eq!(
			CountsStore::get(&store, *cell),
			batch.counts(*cell).unwrap_or_default(),
			"incremental and batch density differ at {cell}"
		);
	}
	for (cell, count) in &hotspots {
		if *count == 0 {
			continue;
		}
		let scale = density::scale_from(&store, *cell);
		assert_eq!(scale, batch.scale(*cell), "scales differ at {cell}");
		assert!(scale <= FixedU128::one(), "a scale above 1 at {cell}");
	}
}

fn check_rewards(input: &Input) {
	let cap = reward_units::beaconer_cap();
	let mut previous = FixedU128::from_u32(0);
	for w in 0..=64u32 {
		let b = reward_units::beaconer_units(w);
		assert!(b <= cap && b >= previous, "beaconer units at {w}: {b:?}");
		previous = b;
		let each = reward_units::witness_units(w);
		let total = each.saturating_mul(FixedU128::from_u32(w));
		assert!(total <= FixedU128::from_u32(reward_units::N), "witness units at {w}");
	}
	let units: Vec<FixedU128> = input
		.units
		.iter()
		.take(256)
		.map(|(w, num, den)| {
			let scale = FixedU128::checked_from_rational(*num, (*den).max(1))
				.unwrap_or(FixedU128::one())
				.min(FixedU128::one());
			epoch_rewards::scaled(reward_units::witness_units(u32::from(*w)), scale)
		})
		.collect();
	let (shares, left) = epoch_rewards::pro_rata(input.pot, &units);
	let paid = shares.iter().try_fold(0u128, |s, x| s.checked_add(*x)).expect("no overflow");
	assert_eq!(paid.checked_add(left), Some(input.pot), "shares and remainder are not the pot");
	let (beaconers, witnesses) = epoch_rewards::pots(input.pot);
	assert_eq!(beaconers + witnesses, input.pot);
}
