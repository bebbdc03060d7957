//! The radio the agent plays: free-space path loss (the chain's RSSI limit, in floating
//! point like `clients/e2e/lib/coverage.mjs`), an urban log-distance model with shadowing
//! noise for what a witness really hears, and the H3 geometry the verification uses.
//! Pure: no chain, no I/O; randomness comes from the caller's RNG.

use h3o::{CellIndex, LatLng, Resolution};
use rand::Rng;

/// Resolution of asserted locations.
pub const LOCATION_RESOLUTION: Resolution = Resolution::Twelve;
/// The chain's distance rules (the runtime's own constants).
pub use assay_radio::limits::{
	GRID_DISTANCE_RESOLUTION as GRID_RESOLUTION, MAX_DISTANCE_M, MIN_FALLBACK_DISTANCE_M,
	MIN_GRID_DISTANCE,
};

/// Below the free-space limit, the loss grows with this exponent past `REFERENCE_M`
/// (urban: 2.7–3.5).
pub const PATH_LOSS_EXPONENT: f64 = 3.3;
/// Where the urban excess loss starts, metres.
pub const REFERENCE_M: f64 = 100.0;
/// Standard deviation of log-normal shadowing, dB.
pub const SHADOWING_DB: f64 = 4.0;
/// The weakest signal a hotspot decodes, dBm.
pub const SENSITIVITY_DBM: f64 = -110.0;
/// Thermal noise over 125 kHz plus a 6 dB noise figure, dBm.
pub const NOISE_FLOOR_DBM: f64 = -117.0;
/// An honest report stays at least this far below the free-space limit, dB.
pub const HONEST_MARGIN_DB: f64 = 1.0;

/// Free-space path loss, dB: `20·log10(4π·d·f / 2.998e8)` (d in metres, f in Hz).
pub fn fspl_db(distance_m: f64, frequency_hz: f64) -> f64 {
	20.0 * ((4.0 * std::f64::consts::PI * distance_m * frequency_hz) / 2.998e8).log10()
}

/// The strongest RSSI (dBm) a witness `distance_m` away may report: `tx + ⌊G_b/10⌋ +
/// ⌊G_w/10⌋ − FSPL(max(d, 1), f)`, gains in tenths of dBi (the chain's check, `fspl.rs`).
pub fn max_rssi_dbm(
	tx_power_dbm: i16,
	beaconer_gain_x10: i16,
	witness_gain_x10: i16,
	distance_m: u64,
	frequency_hz: u64,
) -> f64 {
	let gains = beaconer_gain_x10.div_euclid(10) as f64 + witness_gain_x10.div_euclid(10) as f64;
	tx_power_dbm as f64 + gains - fspl_db(distance_m.max(1) as f64, frequency_hz as f64)
}

/// The urban excess loss over free space at `distance_m`, dB (0 within `REFERENCE_M`).
pub fn excess_loss_db(distance_m: f64) -> f64 {
	if distance_m <= REFERENCE_M {
		0.0
	} else {
		10.0 * (PATH_LOSS_EXPONENT - 2.0) * (distance_m / REFERENCE_M).log10()
	}
}

/// A standard normal draw (Box–Muller).
pub fn gaussian(rng: &mut impl Rng) -> f64 {
	let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
	let u2: f64 = rng.gen();
	(-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// What a witness hears of a beacon: RSSI (dBm) and SNR (dB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reception {
	pub rssi_dbm: f64,
	pub snr_db: f64,
}

impl Reception {
	/// RSSI in tenths of dBm, rounded down (never above what was heard).
	pub fn rssi_x10(&self) -> i16 {
		(self.rssi_dbm * 10.0).floor() as i16
	}
	/// SNR in tenths of dB.
	pub fn snr_x10(&self) -> i16 {
		(self.snr_db * 10.0).round() as i16
	}
}

/// Simulates a reception `distance_m` away given the free-space limit `limit_dbm`: the
/// limit less the urban excess loss and shadowing, never within `HONEST_MARGIN_DB` of the
/// limit (an honest radio cannot beat free space). `None` when below sensitivity.
pub fn receive(limit_dbm: f64, distance_m: u64, rng: &mut impl Rng) -> Option<Reception> {
	let loss = excess_loss_db(distance_m as f64) + SHADOWING_DB * gaussian(rng);
	let rssi = limit_dbm - loss.max(HONEST_MARGIN_DB);
	if rssi < SENSITIVITY_DBM {
		return None;
	}
	// LoRa reports SNR up to about +10 dB; below the noise floor it goes negative.
	let snr = (rssi - NOISE_FLOOR_DBM).clamp(-20.0, 10.0);
	Some(Reception { rssi_dbm: rssi, snr_db: snr })
}

/// The radio of a real city, for the simulated fleets of `assay-agent dataset`: log-distance
/// path loss whose exponent falls with the receiving antenna's height, log-normal
/// shadowing that belongs to the path (the same both ways and from one beacon to the next:
/// the buildings do not move), fast fading per packet, a noise floor raised by each
/// receiver's noise figure, lost packets and late reports.
#[derive(Clone, Copy, Debug)]
pub struct Channel {
	/// Standard deviation of log-normal shadowing, dB (urban: 8), drawn once per path.
	pub shadowing_db: f64,
	/// Standard deviation of the fading of each packet, dB.
	pub fading_db: f64,
	/// Where the excess loss over free space starts, metres.
	pub reference_m: f64,
	/// The weakest signal decoded, dBm (LoRa SF9 at 125 kHz: about −125).
	pub sensitivity_dbm: f64,
	/// Share of packets lost (collisions, interference).
	pub packet_loss: f64,
	/// Share of reports that reach the chain after the witness window (clock drift,
	/// backhaul delay): never counted.
	pub late: f64,
}

impl Channel {
	/// A dense European city.
	pub fn urban() -> Self {
		Self {
			shadowing_db: 8.0,
			fading_db: 2.5,
			reference_m: 10.0,
			sensitivity_dbm: -125.0,
			packet_loss: 0.10,
			late: 0.02,
		}
	}

	/// The path-loss exponent of a path whose antennas are `height_m` high on average: 3.6
	/// at street level, 2.8 between 30 m masts. (It depends on both ends alike, so the loss
	/// is the same both ways.)
	pub fn exponent(height_m: f64) -> f64 {
		(3.6 - 0.8 * (height_m - 3.0) / 27.0).clamp(2.8, 3.6)
	}

	/// The mean excess loss over free space at `distance_m` for antennas `height_m` high on
	/// average, dB.
	pub fn expected_loss_db(&self, distance_m: f64, height_m: f64) -> f64 {
		if distance_m <= self.reference_m {
			0.0
		} else {
			10.0 * (Self::exponent(height_m) - 2.0) * (distance_m / self.reference_m).log10()
		}
	}

	/// The SNR a receiver with `noise_figure_db` reports for `rssi_dbm` (LoRa's −20 … +10 dB,
	/// half a dB of measurement noise).
	pub fn snr_db(&self, rssi_dbm: f64, noise_figure_db: f64, rng: &mut impl Rng) -> f64 {
		(rssi_dbm - (NOISE_FLOOR_DBM + noise_figure_db) + 0.5 * gaussian(rng)).clamp(-20.0, 10.0)
	}

	/// What a receiver hears of a transmission whose free-space level at the receiver is
	/// `free_space_dbm`, `distance_m` away over a path whose shadowing is `path_shadow_db`
	/// (a draw of `shadowing_db`) between antennas `height_m` high on average; `None` when
	/// lost, late or below sensitivity.
	pub fn receive(
		&self,
		free_space_dbm: f64,
		distance_m: f64,
		path_shadow_db: f64,
		height_m: f64,
		noise_figure_db: f64,
		rng: &mut impl Rng,
	) -> Option<Reception> {
		if rng.gen_bool(self.packet_loss) || rng.gen_bool(self.late) {
			return None;
		}
		let loss = self.expected_loss_db(distance_m, height_m)
			+ path_shadow_db
			+ self.fading_db * gaussian(rng);
		let rssi = free_space_dbm - loss.max(HONEST_MARGIN_DB);
		if rssi < self.sensitivity_dbm {
			return None;
		}
		Some(Reception { rssi_dbm: rssi, snr_db: self.snr_db(rssi, noise_figure_db, rng) })
	}
}

/// Great-circle distance between two points, metres (floats: the simulated world, not
/// the chain's arithmetic).
pub fn point_distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
	let (a, b) = (LatLng::new(a.0, a.1).expect("valid"), LatLng::new(b.0, b.1).expect("valid"));
	a.distance_m(b)
}

/// The resolution-12 H3 cell of a point, as the u64 the chain stores.
pub fn cell_at(lat: f64, lng: f64) -> u64 {
	let ll = LatLng::new(lat, lng).expect("valid coordinates");
	u64::from(ll.to_cell(LOCATION_RESOLUTION))
}

fn cell(id: u64) -> CellIndex {
	CellIndex::try_from(id).expect("a valid H3 cell")
}

/// Great-circle distance between two cells' centres in whole metres: the runtime's own
/// integer computation (`assay_radio::geodesy`).
pub fn cell_distance_m(a: u64, b: u64) -> u64 {
	assay_radio::geodesy::distance_m(cell(a), cell(b))
}

/// Grid steps between the cells' resolution-11 parents; `None` where H3 cannot measure it.
pub fn grid_steps(a: u64, b: u64) -> Option<u32> {
	let (a, b) = (cell(a).parent(GRID_RESOLUTION)?, cell(b).parent(GRID_RESOLUTION)?);
	a.grid_distance(b).ok().and_then(|d| u32::try_from(d).ok())
}

/// The distance between two cells, metres, if the chain's distance checks pass it: at
/// least 8 resolution-11 steps (or, where H3 cannot count them, 500 m) and at most 100 km.
pub fn checked_distance_m(a: u64, b: u64) -> Option<u64> {
	let distance = cell_distance_m(a, b);
	let far_enough =
		grid_steps(a, b).map_or(distance >= MIN_FALLBACK_DISTANCE_M, |s| s >= MIN_GRID_DISTANCE);
	(far_enough && distance <= MAX_DISTANCE_M).then_some(distance)
}

#[cfg(test)]
/// Whether the chain's distance checks pass for a pair of cells (not too close, not too far).
pub fn distance_ok(a: u64, b: u64) -> bool {
	checked_distance_m(a, b).is_some()
}

/// A point `north_m` metres north and `east_m` metres east of (lat, lng).
pub fn offset(lat: f64, lng: f64, north_m: f64, east_m: f64) -> (f64, f64) {
	const EARTH_M: f64 = 6_371_008.8;
	let dlat = north_m / EARTH_M;
	let dlng = east_m / (EARTH_M * lat.to_radians().cos());
	(lat + dlat.to_degrees(), lng + dlng.to_degrees())
}

/// `n` new sites within `radius_m` of a centre, each at least `min_spacing_m` from the others
/// (and from `existing`) and at least `MIN_GRID_DISTANCE + 2` resolution-11 steps apart
/// (rejection sampling; relaxes the spacing if the area is too crowded).
pub fn layout(
	existing: &[(f64, f64)],
	n: usize,
	center: (f64, f64),
	radius_m: f64,
	min_spacing_m: f64,
	rng: &mut impl Rng,
) -> Vec<(f64, f64)> {
	let mut sites: Vec<(f64, f64, u64)> =
		existing.iter().map(|&(lat, lng)| (lat, lng, cell_at(lat, lng))).collect();
	let target = sites.len() + n;
	let mut spacing = min_spacing_m;
	let mut tries = 0;
	while sites.len() < target {
		tries += 1;
		if tries % 2_000 == 0 {
			spacing *= 0.8;
		}
		let r = radius_m * rng.gen::<f64>().sqrt();
		let theta = rng.gen::<f64>() * std::f64::consts::TAU;
		let (lat, lng) = offset(center.0, center.1, r * theta.cos(), r * theta.sin());
		let c = cell_at(lat, lng);
		let fits = sites.iter().all(|&(_, _, other)| {
			cell_distance_m(c, other) as f64 >= spacing
				&& grid_steps(c, other).is_none_or(|s| s >= MIN_GRID_DISTANCE + 2)
		});
		if fits {
			sites.push((lat, lng, c));
		}
	}
	sites.into_iter().skip(existing.len()).map(|(lat, lng, _)| (lat, lng)).collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand::SeedableRng;
	use rand_chacha::ChaCha8Rng;

	/// Values from `clients/e2e/lib/coverage.mjs` (`maxRssiDbm`, `cellAt`, `cellDistanceM`,
	/// `gridSteps`), computed with `node -e`.
	#[test]
	fn matches_the_js_helpers() {
		assert!((max_rssi_dbm(27, 50, 30, 1800, 867_900_000) - -61.32240857961574).abs() < 1e-9);
		// DESIGN §4's known value: −57.334 dBm.
		assert!((max_rssi_dbm(12, 81, 83, 508, 867_900_024) - -57.334232963418515).abs() < 1e-9);
		let a = cell_at(38.7223, -9.1393);
		let b = cell_at(38.738, -9.132);
		assert_eq!(a, 631_510_234_892_894_719);
		assert_eq!(b, 631_510_234_858_861_055);
		assert_eq!(cell_distance_m(a, b), 1850);
		assert_eq!(grid_steps(a, b), Some(37));
		assert_eq!(grid_steps(a, cell_at(38.7225, -9.1391)), Some(1));
		assert!(distance_ok(a, b));
		assert!(!distance_ok(a, cell_at(38.7225, -9.1391)), "34 m: too close");
		assert!(!distance_ok(a, cell_at(41.1579, -8.6291)), "Porto: too far");
	}

	#[test]
	fn fspl_grows_20_db_per_decade() {
		let f = 868e6;
		assert!((fspl_db(1000.0, f) - fspl_db(100.0, f) - 20.0).abs() < 1e-9);
		// 1 km at 868 MHz: about 91.2 dB.
		assert!((fspl_db(1000.0, f) - 91.21).abs() < 0.01);
		// Negative gains round down like the chain's ⌊G/10⌋.
		assert_eq!(max_rssi_dbm(0, -5, 0, 1, 1) + fspl_db(1.0, 1.0), -1.0);
	}

	#[test]
	fn honest_receptions_never_beat_free_space() {
		let mut rng = ChaCha8Rng::seed_from_u64(7);
		for d in [50u64, 300, 1_000, 3_000, 8_000] {
			let limit = max_rssi_dbm(27, 50, 30, d, 867_500_000);
			for _ in 0..500 {
				if let Some(r) = receive(limit, d, &mut rng) {
					assert!(r.rssi_dbm <= limit - HONEST_MARGIN_DB);
					assert!((r.rssi_x10() as f64) / 10.0 <= limit - HONEST_MARGIN_DB);
					assert!(r.rssi_dbm >= SENSITIVITY_DBM);
					assert!((-20.0..=10.0).contains(&r.snr_db));
				}
			}
		}
	}

	#[test]
	fn range_is_limited() {
		let mut rng = ChaCha8Rng::seed_from_u64(1);
		let heard = |d: u64, rng: &mut ChaCha8Rng| {
			(0..200)
				.filter(|_| receive(max_rssi_dbm(27, 50, 30, d, 868e6 as u64), d, rng).is_some())
				.count()
		};
		assert_eq!(heard(2_000, &mut rng), 200, "2 km in town is always heard");
		assert_eq!(heard(60_000, &mut rng), 0, "60 km never");
	}

	#[test]
	fn layouts_keep_their_distance() {
		let mut rng = ChaCha8Rng::seed_from_u64(3);
		let mut sites = layout(&[], 8, (38.7369, -9.1427), 3_500.0, 600.0, &mut rng);
		sites.extend(layout(&sites, 4, (38.7369, -9.1427), 3_500.0, 600.0, &mut rng));
		assert_eq!(sites.len(), 12);
		let cells: Vec<u64> = sites.iter().map(|&(a, b)| cell_at(a, b)).collect();
		for (i, a) in cells.iter().enumerate() {
			for b in &cells[i + 1..] {
				assert!(distance_ok(*a, *b));
				assert!(cell_distance_m(*a, *b) < 8_000);
			}
		}
	}
}
