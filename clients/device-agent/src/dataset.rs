//! `assay-agent dataset`: a city of hotspots simulated offline, with cheaters that pass
//! every deterministic check, written as labelled fraud-feature rows for training and
//! evaluating the coverage-fraud model.
//!
//! Nothing here talks to a chain, but everything the chain decides is decided the chain's
//! way: the deterministic checks (minimum grid distance, 100 km, the free-space RSSI limit,
//! reciprocity), the roster of 32 per beacon, the selection of 14, the peer histories and
//! the features themselves come from `assay-radio`, the crate the runtime runs. Only
//! reports that pass every check become rows, as only they get features on chain.
//!
//! The radio is [`crate::radio::Channel`]: log-normal shadowing, antenna gain and height,
//! noise floor, packet loss and late reports. The cheaters are described in the README.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use assay_radio::features::{self, PeerHistory, WitnessFacts, FEATURE_NAMES};
use assay_radio::{fspl, geodesy};
use h3o::{CellIndex, Resolution};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sp_crypto_hashing::blake2_256;

use crate::radio::{self, Channel};

/// Arguments of `assay-agent dataset`.
#[derive(clap::Args, Debug, Clone)]
pub struct DatasetArgs {
	/// Seed of the fleet, its keys and its radio.
	#[arg(long, default_value_t = 1)]
	pub seed: u64,
	/// Simulated hours; every hotspot beacons once per beacon window.
	#[arg(long, default_value_t = 168)]
	pub hours: u32,
	/// The city: lisbon, porto, madrid, paris or berlin (centre, radius and density).
	#[arg(long, default_value = "lisbon")]
	pub layout: String,
	/// Honest hotspots (0: the layout's own count).
	#[arg(long, default_value_t = 0)]
	pub hotspots: usize,
	/// Pairs of near spoofers.
	#[arg(long, default_value_t = 4)]
	pub spoofer_pairs: usize,
	/// Witness rings.
	#[arg(long, default_value_t = 2)]
	pub rings: usize,
	/// Hotspots in each ring.
	#[arg(long, default_value_t = 5)]
	pub ring_size: usize,
	/// Forged-signal witnesses (real hotspots that inflate and invent receptions).
	#[arg(long, default_value_t = 8)]
	pub forgers: usize,
	/// Where to write the CSV rows ("-": standard output).
	#[arg(long, default_value = "-")]
	pub out: PathBuf,
}

/// A city the fleet is laid out in.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
	pub name: &'static str,
	pub centre: (f64, f64),
	pub radius_m: f64,
	pub hotspots: usize,
	pub owners: usize,
}

/// The cities: training uses some, evaluation holds out others.
pub const LAYOUTS: [Layout; 5] = [
	Layout {
		name: "lisbon",
		centre: (38.7369, -9.1427),
		radius_m: 4_000.0,
		hotspots: 160,
		owners: 24,
	},
	Layout {
		name: "porto",
		centre: (41.1579, -8.6291),
		radius_m: 3_000.0,
		hotspots: 110,
		owners: 18,
	},
	Layout {
		name: "madrid",
		centre: (40.4168, -3.7038),
		radius_m: 6_000.0,
		hotspots: 220,
		owners: 30,
	},
	Layout {
		name: "paris",
		centre: (48.8566, 2.3522),
		radius_m: 5_000.0,
		hotspots: 260,
		owners: 40,
	},
	Layout {
		name: "berlin",
		centre: (52.5200, 13.4050),
		radius_m: 7_000.0,
		hotspots: 180,
		owners: 20,
	},
];

/// Hours in a beacon window (the `local` preset: 3,600 blocks of 6 s).
pub const WINDOW_HOURS: u32 = 6;
/// Windows in the reciprocity window (the `local` preset: 28,800 blocks).
pub const RECIPROCITY_WINDOWS: u32 = 8;
/// Reports a beacon's roster keeps (`MaxWitnessesPerBeacon`).
pub const ROSTER: usize = 32;
/// Witnesses selected for rewards.
pub const SELECTED: usize = 14;
/// Transmit power of every beacon, dBm.
const TX_POWER_DBM: i16 = 27;
/// The beacon's frequency (EU868).
const FREQUENCY_HZ: u64 = 868_100_000;
/// How far a near spoofer or a forger claims beacons it did not hear, metres.
const CLAIM_RANGE_M: u64 = 3_000;

/// What a hotspot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
	Honest,
	/// Asserts a location among real hotspots, is not there, and reports the beacons around
	/// its asserted location with free-space signals; pairs witness each other.
	NearSpoofer,
	/// One of a group at fabricated locations that witness only each other.
	Ring,
	/// A real hotspot that reports stronger signals than it heard and beacons it missed.
	Forged,
}

impl Kind {
	pub fn name(self) -> &'static str {
		match self {
			Kind::Honest => "honest",
			Kind::NearSpoofer => "near_spoofer",
			Kind::Ring => "ring",
			Kind::Forged => "forged",
		}
	}
}

/// A simulated hotspot.
#[derive(Clone, Debug)]
pub struct Hotspot {
	pub id: [u8; 32],
	pub owner: u32,
	pub kind: Kind,
	/// Its group (spoofer pair or ring), for the colluders.
	pub group: usize,
	/// The asserted location (resolution 12).
	pub cell: u64,
	/// Where its radio really is; `None` if it hears nothing there (spoofers and rings
	/// hear only their own).
	pub radio: Option<(f64, f64)>,
	pub gain_dbi_x10: i16,
	pub height_m: f64,
	/// Its receiver's noise figure above the nominal floor, dB.
	pub noise_figure_db: f64,
	/// Its receiver's RSSI calibration error, dB (σ 1.5).
	pub rssi_offset_db: f64,
}

/// One labelled row.
#[derive(Clone, Debug)]
pub struct Row {
	pub window: u32,
	pub beaconer: usize,
	pub witness: usize,
	pub kind: Kind,
	pub selected: bool,
	pub witnesses_selected: usize,
	pub features: features::Features,
}

/// A report as the chain receives it.
#[derive(Clone, Copy, Debug)]
struct Report {
	witness: usize,
	rssi_dbm_x10: i16,
	snr_db_x10: i16,
}

fn layout(name: &str) -> Result<Layout> {
	LAYOUTS
		.iter()
		.find(|l| l.name == name)
		.copied()
		.with_context(|| format!("unknown layout {name}"))
}

/// `n` sites within `radius_m` of `centre`, each at least `spacing_m` and the chain's 8
/// resolution-11 steps from every other and from `existing`. Where the disc is full it
/// grows by a tenth every 5,000 tries, so it always ends.
fn place(
	existing: &[(f64, f64)],
	n: usize,
	centre: (f64, f64),
	radius_m: f64,
	spacing_m: f64,
	rng: &mut ChaCha8Rng,
) -> Vec<(f64, f64)> {
	let mut cells: Vec<u64> = existing.iter().map(|&(lat, lng)| radio::cell_at(lat, lng)).collect();
	let mut placed = Vec::new();
	let (mut radius, mut tries) = (radius_m, 0u32);
	while placed.len() < n {
		tries += 1;
		if tries % 5_000 == 0 {
			radius *= 1.1;
		}
		let r = radius * rng.gen::<f64>().sqrt();
		let theta = rng.gen::<f64>() * std::f64::consts::TAU;
		let site = radio::offset(centre.0, centre.1, r * theta.cos(), r * theta.sin());
		let c = radio::cell_at(site.0, site.1);
		let fits = cells.iter().all(|&other| {
			radio::cell_distance_m(c, other) as f64 >= spacing_m
				&& radio::grid_steps(c, other).is_none_or(|s| s >= radio::MIN_GRID_DISTANCE)
		});
		if fits {
			cells.push(c);
			placed.push(site);
		}
	}
	placed
}

fn cell(id: u64) -> CellIndex {
	CellIndex::try_from(id).expect("a valid H3 cell")
}

/// The fleet: honest hotspots (some of them forgers), near-spoofer pairs and rings.
pub fn fleet(args: &DatasetArgs, layout: &Layout, rng: &mut ChaCha8Rng) -> Vec<Hotspot> {
	let n = if args.hotspots == 0 { layout.hotspots } else { args.hotspots };
	let mut sites = place(&[], n, layout.centre, layout.radius_m, 350.0, rng);
	let mut hotspots = Vec::new();
	let new = |rng: &mut ChaCha8Rng, kind, owner, group, site: (f64, f64), radio| {
		let mut id = [0u8; 32];
		rng.fill(&mut id);
		Hotspot {
			id,
			owner,
			kind,
			group,
			cell: radio::cell_at(site.0, site.1),
			radio,
			gain_dbi_x10: [30, 40, 50, 58, 60, 80][rng.gen_range(0..6)],
			height_m: rng.gen_range(3.0..30.0),
			noise_figure_db: rng.gen_range(-1.5..2.5),
			rssi_offset_db: 1.5 * radio::gaussian(rng),
		}
	};
	for (i, site) in sites.iter().enumerate() {
		let owner = (i % layout.owners) as u32;
		let kind = if i < args.forgers { Kind::Forged } else { Kind::Honest };
		hotspots.push(new(rng, kind, owner, 0, *site, Some(*site)));
	}
	// Near spoofers assert sites among the honest ones (the layout's rules: spacing and
	// grid distance) but their radios are elsewhere: they hear nothing of the city.
	let mut owner = layout.owners as u32;
	for pair in 0..args.spoofer_pairs {
		let placed = place(&sites, 2, layout.centre, layout.radius_m * 0.8, 350.0, rng);
		for site in placed {
			sites.push(site);
			hotspots.push(new(rng, Kind::NearSpoofer, owner, pair, site, None));
		}
		owner += 1;
	}
	// Rings: fabricated sites in a corner of the city, one owner each.
	for ring in 0..args.rings {
		let angle = rng.gen_range(0.0..std::f64::consts::TAU);
		let centre = radio::offset(
			layout.centre.0,
			layout.centre.1,
			layout.radius_m * 0.9 * angle.cos(),
			layout.radius_m * 0.9 * angle.sin(),
		);
		let placed = place(&sites, args.ring_size, centre, 1_500.0, 500.0, rng);
		for site in placed {
			sites.push(site);
			hotspots.push(new(rng, Kind::Ring, owner, ring, site, None));
		}
		owner += 1;
	}
	hotspots
}

/// The mean height of a path's two antennas, metres.
fn path_height_m(a: &Hotspot, b: &Hotspot) -> f64 {
	(a.height_m + b.height_m) / 2.0
}

/// The shadowing of the path between two hotspots, dB: one draw per path, the same both
/// ways (`seed` makes it the city's own).
fn path_shadow_db(channel: &Channel, seed: u64, a: &Hotspot, b: &Hotspot) -> f64 {
	let (lo, hi) = if a.id <= b.id { (&a.id, &b.id) } else { (&b.id, &a.id) };
	let mut pre = seed.to_le_bytes().to_vec();
	pre.extend_from_slice(lo);
	pre.extend_from_slice(hi);
	let hash = blake2_256(&pre);
	let mut rng = ChaCha8Rng::from_seed(hash);
	channel.shadowing_db * radio::gaussian(&mut rng)
}

/// The chain's checks that depend on the pair: not too close, not too far, the RSSI at
/// most the free-space limit. Passing, the distance and the limit.
fn pair_checks(b: &Hotspot, w: &Hotspot, rssi_dbm_x10: i16) -> Option<(u64, i64)> {
	let distance = radio::checked_distance_m(b.cell, w.cell)?;
	let limit = fspl::max_rssi_milli_dbm(
		TX_POWER_DBM,
		b.gain_dbi_x10,
		w.gain_dbi_x10,
		distance.max(1),
		FREQUENCY_HZ,
	)?;
	fspl::rssi_is_possible(rssi_dbm_x10, limit).then_some((distance, limit))
}

/// The free-space limit between two hotspots, dBm (as a float, for the cheaters).
fn limit_dbm(b: &Hotspot, w: &Hotspot) -> Option<f64> {
	let distance = geodesy::distance_m(cell(b.cell), cell(w.cell));
	fspl::max_rssi_milli_dbm(
		TX_POWER_DBM,
		b.gain_dbi_x10,
		w.gain_dbi_x10,
		distance.max(1),
		FREQUENCY_HZ,
	)
	.map(|l| l as f64 / 1000.0)
}

/// A report of `rssi_dbm` and `snr_db`, in the chain's tenths.
fn report(witness: usize, rssi_dbm: f64, snr_db: f64) -> Report {
	Report {
		witness,
		rssi_dbm_x10: (rssi_dbm * 10.0).floor() as i16,
		snr_db_x10: (snr_db * 10.0).round() as i16,
	}
}

/// What each hotspot reports of `beaconer`'s beacon.
fn reports(
	fleet: &[Hotspot],
	beaconer: usize,
	channel: &Channel,
	seed: u64,
	rng: &mut ChaCha8Rng,
) -> Vec<Report> {
	let b = &fleet[beaconer];
	let mut out = Vec::new();
	for (i, w) in fleet.iter().enumerate() {
		if i == beaconer {
			continue;
		}
		let Some(limit) = limit_dbm(b, w) else { continue };
		let asserted_m = geodesy::distance_m(cell(b.cell), cell(w.cell));
		match (w.kind, b.radio, w.radio) {
			// Real radios: what the channel delivers, from where they really are.
			(Kind::Honest | Kind::Forged, Some(from), Some(to)) => {
				let true_m = radio::point_distance_m(from, to);
				let free = radio::max_rssi_dbm(
					TX_POWER_DBM,
					b.gain_dbi_x10,
					w.gain_dbi_x10,
					true_m.round().max(1.0) as u64,
					FREQUENCY_HZ,
				);
				let shadow = path_shadow_db(channel, seed, b, w);
				let heard = channel
					.receive(free, true_m, shadow, path_height_m(b, w), w.noise_figure_db, rng)
					.map(|r| radio::Reception {
						rssi_dbm: (r.rssi_dbm + w.rssi_offset_db).min(limit - 0.2),
						..r
					});
				match (w.kind, heard) {
					(Kind::Honest, Some(r)) => out.push(report(i, r.rssi_dbm, r.snr_db)),
					(Kind::Forged, Some(r)) => {
						// Louder than heard, by 6–15 dB, kept under the limit.
						let rssi = (r.rssi_dbm + rng.gen_range(6.0..15.0)).min(limit - 0.2);
						let snr = (r.snr_db + rng.gen_range(3.0..8.0)).min(10.0);
						out.push(report(i, rssi, snr));
					},
					(Kind::Forged, None) if asserted_m <= CLAIM_RANGE_M && rng.gen_bool(0.7) => {
						// A beacon it missed, claimed with what the urban model expects.
						let rssi = limit
							- channel.expected_loss_db(asserted_m as f64, path_height_m(b, w));
						let rssi = rssi.min(limit - 0.2);
						out.push(report(i, rssi, channel.snr_db(rssi, w.noise_figure_db, rng)));
					},
					_ => {},
				}
			},
			// A near spoofer reports the beacons around its asserted site, and its partner's,
			// with free-space signals (what it can compute, not what a city does to them).
			(Kind::NearSpoofer, _, _) => {
				let partner = b.kind == Kind::NearSpoofer && b.group == w.group;
				if partner
					|| (b.radio.is_some() && asserted_m <= CLAIM_RANGE_M && rng.gen_bool(0.8))
				{
					let rssi = limit - rng.gen_range(0.2..3.0);
					let snr = (rssi - radio::NOISE_FLOOR_DBM).clamp(-20.0, 10.0);
					out.push(report(i, rssi, snr));
				}
			},
			// A ring member reports only its ring, with plausible urban signals for the
			// asserted distances.
			(Kind::Ring, _, _) if b.kind == Kind::Ring && b.group == w.group => {
				let rssi = limit
					- channel.expected_loss_db(asserted_m as f64, path_height_m(b, w))
					- channel.shadowing_db * radio::gaussian(rng);
				let rssi = rssi.min(limit - 0.2);
				if rssi >= channel.sensitivity_dbm {
					out.push(report(i, rssi, channel.snr_db(rssi, w.noise_figure_db, rng)));
				}
			},
			_ => {},
		}
	}
	out
}

/// Hotspots per resolution-8 hex (the HIP-17 count the `hex_hotspots` feature reads).
fn hex_counts(fleet: &[Hotspot]) -> HashMap<u64, u32> {
	let mut counts = HashMap::new();
	for h in fleet {
		if let Some(hex) = cell(h.cell).parent(Resolution::Eight) {
			*counts.entry(u64::from(hex)).or_insert(0) += 1;
		}
	}
	counts
}

/// Runs the city for `args.hours` and returns the rows of every report that passed.
pub fn simulate(args: &DatasetArgs) -> Result<(Vec<Hotspot>, Vec<Row>)> {
	let layout = layout(&args.layout)?;
	let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
	let fleet = fleet(args, &layout, &mut rng);
	let channel = Channel::urban();
	let hexes = hex_counts(&fleet);
	let mut histories = vec![PeerHistory::default(); fleet.len()];
	let mut last_heard: Vec<Option<u32>> = vec![None; fleet.len()];
	let mut rows = Vec::new();
	let windows = args.hours / WINDOW_HOURS;
	for window in 0..windows {
		let mut order: Vec<usize> = (0..fleet.len()).collect();
		order.shuffle(&mut rng);
		for beaconer in order {
			let mut heard = reports(&fleet, beaconer, &channel, args.seed, &mut rng);
			// The roster: the 32 lowest ranks.
			let seed: [u8; 32] = rng.gen();
			let rank = |r: &Report| {
				let mut pre = seed.to_vec();
				pre.extend_from_slice(&fleet[beaconer].id);
				pre.extend_from_slice(&fleet[r.witness].id);
				blake2_256(&pre)
			};
			heard.sort_by_key(|r| rank(r));
			heard.truncate(ROSTER);
			// Verification: every check, then features from the history before it.
			let b = &fleet[beaconer];
			let mut valid: Vec<(Report, features::Features)> = Vec::new();
			let mut was_heard = false;
			for r in &heard {
				let w = &fleet[r.witness];
				let Some((distance, limit)) = pair_checks(b, w, r.rssi_dbm_x10) else { continue };
				was_heard = true;
				let reciprocal = last_heard[r.witness]
					.is_some_and(|at| window.saturating_sub(at) <= RECIPROCITY_WINDOWS);
				if !reciprocal {
					continue;
				}
				let hex = cell(w.cell).parent(Resolution::Eight).map(u64::from);
				let facts = WitnessFacts {
					rssi_dbm_x10: r.rssi_dbm_x10,
					snr_db_x10: r.snr_db_x10,
					limit_milli_dbm: limit,
					distance_m: distance,
					same_owner: w.owner == b.owner,
					hex_hotspots: hex.and_then(|h| hexes.get(&h)).copied().unwrap_or(0),
					beaconer: features::peer_tag(&b.id),
				};
				let f = features::features(&facts, &histories[r.witness]);
				valid.push((*r, f));
				let (wi, bi) = (r.witness, beaconer);
				let (mut wh, mut bh) = (histories[wi], histories[bi]);
				PeerHistory::record(
					&mut wh,
					&mut bh,
					features::peer_tag(&w.id),
					features::peer_tag(&b.id),
					&f,
				);
				histories[wi] = wh;
				histories[bi].heard_by = bh.heard_by;
			}
			if was_heard {
				last_heard[beaconer] = Some(window);
			}
			// Selection: 14 by lowest draw.
			let draw: [u8; 32] = rng.gen();
			let mut drawn: Vec<usize> = (0..valid.len()).collect();
			drawn.sort_by_key(|i| {
				let mut pre = draw.to_vec();
				pre.extend_from_slice(&fleet[valid[*i].0.witness].id);
				blake2_256(&pre)
			});
			drawn.truncate(SELECTED);
			let witnesses_selected = drawn.len();
			for (i, (r, f)) in valid.iter().enumerate() {
				rows.push(Row {
					window,
					beaconer,
					witness: r.witness,
					kind: fleet[r.witness].kind,
					selected: drawn.contains(&i),
					witnesses_selected,
					features: *f,
				});
			}
		}
	}
	Ok((fleet, rows))
}

/// `assay-agent dataset`: simulates and writes the CSV.
pub fn run(args: &DatasetArgs) -> Result<()> {
	if args.hours < WINDOW_HOURS {
		bail!("--hours must cover at least one {WINDOW_HOURS}-hour beacon window");
	}
	let (fleet, rows) = simulate(args)?;
	let mut out: Box<dyn Write> = if args.out.as_os_str() == "-" {
		Box::new(std::io::stdout().lock())
	} else {
		Box::new(std::io::BufWriter::new(
			std::fs::File::create(&args.out)
				.with_context(|| format!("creating {}", args.out.display()))?,
		))
	};
	writeln!(
		out,
		"seed,layout,window,beaconer,witness,kind,label,selected,witnesses_selected,{}",
		FEATURE_NAMES.join(",")
	)?;
	for r in &rows {
		let features: Vec<String> = r.features.iter().map(|v| v.to_string()).collect();
		writeln!(
			out,
			"{},{},{},{},{},{},{},{},{},{}",
			args.seed,
			args.layout,
			r.window,
			r.beaconer,
			r.witness,
			r.kind.name(),
			u8::from(r.kind != Kind::Honest),
			u8::from(r.selected),
			r.witnesses_selected,
			features.join(",")
		)?;
	}
	out.flush()?;
	let by_kind = |k: Kind| rows.iter().filter(|r| r.kind == k).count();
	eprintln!(
		"dataset: seed {} · {} · {} hours · {} hotspots ({} forgers, {} near spoofers, {} in rings) · {} passing reports: {} honest, {} near_spoofer, {} ring, {} forged",
		args.seed,
		args.layout,
		args.hours,
		fleet.len(),
		fleet.iter().filter(|h| h.kind == Kind::Forged).count(),
		fleet.iter().filter(|h| h.kind == Kind::NearSpoofer).count(),
		fleet.iter().filter(|h| h.kind == Kind::Ring).count(),
		rows.len(),
		by_kind(Kind::Honest),
		by_kind(Kind::NearSpoofer),
		by_kind(Kind::Ring),
		by_kind(Kind::Forged),
	);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn args(seed: u64) -> DatasetArgs {
		DatasetArgs {
			seed,
			hours: 48,
			layout: "porto".into(),
			hotspots: 60,
			spoofer_pairs: 2,
			rings: 1,
			ring_size: 4,
			forgers: 4,
			out: "-".into(),
		}
	}

	#[test]
	fn every_cheater_kind_passes_the_checks_and_the_run_repeats() {
		let (_, rows) = simulate(&args(7)).unwrap();
		for kind in [Kind::Honest, Kind::NearSpoofer, Kind::Ring, Kind::Forged] {
			assert!(rows.iter().any(|r| r.kind == kind), "no passing {kind:?} report");
		}
		let (_, again) = simulate(&args(7)).unwrap();
		assert_eq!(
			rows.iter().map(|r| r.features).collect::<Vec<_>>(),
			again.iter().map(|r| r.features).collect::<Vec<_>>()
		);
	}

	#[test]
	fn near_spoofers_report_at_free_space_and_rings_hear_only_each_other() {
		let (fleet, rows) = simulate(&args(3)).unwrap();
		let spoofed: Vec<&Row> = rows.iter().filter(|r| r.kind == Kind::NearSpoofer).collect();
		assert!(spoofed.iter().all(|r| r.features[0] <= 30), "margins above 3 dB");
		for r in rows.iter().filter(|r| r.kind == Kind::Ring) {
			assert_eq!(fleet[r.beaconer].kind, Kind::Ring);
			assert_eq!(r.features[7], 1, "a ring has one owner");
		}
	}
}
