//! The fraud features of a witness report that passed every deterministic check: the
//! fixed vector the validators' coverage-fraud model scores. Computed by the chain when it
//! verifies the witness and by the device agent when it writes a training set, with this
//! one function.
//!
//! Every feature is an integer in the unit its name gives and lies within ±32,767, so it
//! travels to the model unchanged in Q16.16 (`value · 2^16`).
//!
//! | # | name | unit | what |
//! |---|---|---|---|
//! | 0 | `margin_db_x10` | 0.1 dB | the free-space limit minus the reported RSSI (≥ 0 for a passing report), capped at 300 dB |
//! | 1 | `snr_db_x10` | 0.1 dB | the reported SNR |
//! | 2 | `snr_gap_db_x10` | 0.1 dB | SNR − (RSSI − noise floor of −117 dBm), within ±200 dB |
//! | 3 | `distance_dam` | 10 m | beaconer to witness, between cell centres |
//! | 4 | `heard` | count | the witness's remembered passing reports (at most 16) |
//! | 5 | `distinct_heard` | count | distinct beaconers among them |
//! | 6 | `mutual_peers` | count | of those, the ones that also witnessed the witness's own beacons (its last 16 witnesses) |
//! | 7 | `same_owner` | 0/1 | the witness and the beaconer have one owner |
//! | 8 | `hex_hotspots` | count | hotspots in the witness's resolution-8 hex (HIP-17 count) |
//! | 9 | `margin_slope` | 0.01 dB per doubling | the margin over the doublings of the distance past 10 m: the excess loss of the path |
//! | 10 | `mean_margin_slope` | 0.01 dB per doubling | its running mean over the witness's earlier passing reports (weight 1/8) |
//! | 11 | `link_asymmetry_db_x10` | 0.1 dB | this margin minus the margin the beaconer reported when it last witnessed the witness's beacon; 0 when it has not |
//! | 12 | `mean_link_asymmetry` | 0.1 dB | its running mean over the witness's earlier reports where it was known (weight 1/8) |
//!
//! Radio paths are reciprocal: the loss from A to B is the loss from B to A, and the
//! free-space limit is symmetric in the two gains. An honest pair reports margins that
//! differ by fast fading only; a witness that inflates what it hears reports margins
//! smaller than its peers report of it (11, 12), and a smaller excess loss than its
//! distances imply (9, 10).
//!
//! The history (4–6, 10–12) is what the witness had *before* this report: the chain reads
//! it, computes the features, then records the report ([`PeerHistory::record`]).

use crate::fspl::log2_q32;
use codec::{Decode, Encode, MaxEncodedLen};

/// How many features.
pub const FEATURES: usize = 13;

/// A witness's features, in [`FEATURE_NAMES`]' order and units.
pub type Features = [i32; FEATURES];

/// The features' names, in order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
	"margin_db_x10",
	"snr_db_x10",
	"snr_gap_db_x10",
	"distance_dam",
	"heard",
	"distinct_heard",
	"mutual_peers",
	"same_owner",
	"hex_hotspots",
	"margin_slope",
	"mean_margin_slope",
	"link_asymmetry_db_x10",
	"mean_link_asymmetry",
];

/// The largest magnitude of a feature: Q16.16 holds it.
pub const FEATURE_LIMIT: i32 = 32_767;

/// The noise floor the SNR gap is measured against: thermal noise over 125 kHz plus a
/// 6 dB noise figure, tenths of dBm.
pub const NOISE_FLOOR_DBM_X10: i32 = -1_170;

/// How many peers a hotspot's history remembers in each direction.
pub const HISTORY_LEN: usize = 16;

/// The weight of a new value in the running means: 1/8.
pub const MEAN_SHIFT: u32 = 3;

/// The distance below which a path has no excess loss to speak of, metres.
pub const SLOPE_REFERENCE_M: u64 = 10;

/// A peer as the history remembers it: the first 8 bytes of its account id (finding a
/// second key with the same 8 bytes takes about 2^64 tries).
pub type PeerTag = [u8; 8];

/// The tag of an account id.
pub fn peer_tag(account: &[u8; 32]) -> PeerTag {
	let mut tag = [0u8; 8];
	tag.copy_from_slice(&account[..8]);
	tag
}

/// The last [`HISTORY_LEN`] peers with the margin of each report, oldest overwritten first.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
pub struct Recent {
	/// The ring's slots; the first `len` are filled.
	pub tags: [PeerTag; HISTORY_LEN],
	/// The margin of each slot's report, tenths of dB.
	pub margins: [i16; HISTORY_LEN],
	/// How many slots are filled.
	pub len: u8,
	/// The slot the next peer goes into.
	pub next: u8,
}

impl Recent {
	/// Remembers `tag` and its report's margin, forgetting the oldest when full.
	pub fn push(&mut self, tag: PeerTag, margin_db_x10: i16) {
		let slot = usize::from(self.next) % HISTORY_LEN;
		if let (Some(t), Some(m)) = (self.tags.get_mut(slot), self.margins.get_mut(slot)) {
			*t = tag;
			*m = margin_db_x10;
		}
		self.next = ((slot + 1) % HISTORY_LEN) as u8;
		self.len = self.len.saturating_add(1).min(HISTORY_LEN as u8);
	}

	/// The remembered peers, in slot order.
	pub fn peers(&self) -> &[PeerTag] {
		let len = usize::from(self.len).min(HISTORY_LEN);
		self.tags.get(..len).unwrap_or(&[])
	}

	/// Whether `tag` is remembered.
	pub fn contains(&self, tag: &PeerTag) -> bool {
		self.peers().contains(tag)
	}

	/// The margin of the newest report of `tag`, if remembered.
	pub fn newest_margin(&self, tag: &PeerTag) -> Option<i16> {
		let len = usize::from(self.len).min(HISTORY_LEN);
		(1..=len)
			.map(|back| (usize::from(self.next) + HISTORY_LEN - back) % HISTORY_LEN)
			.find(|slot| self.tags.get(*slot) == Some(tag))
			.and_then(|slot| self.margins.get(slot).copied())
	}

	/// The distinct peers, first occurrence in slot order.
	fn distinct(&self) -> impl Iterator<Item = &PeerTag> {
		let peers = self.peers();
		peers
			.iter()
			.enumerate()
			.filter(|(i, tag)| !peers[..*i].contains(tag))
			.map(|(_, t)| t)
	}
}

/// A hotspot's recent passing witness reports, both ways, and running means of its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
pub struct PeerHistory {
	/// The beaconers it witnessed, with the margins it reported.
	pub heard: Recent,
	/// The witnesses of its beacons, with the margins they reported.
	pub heard_by: Recent,
	/// Running mean of its reports' `margin_slope`.
	pub mean_margin_slope: i32,
	/// Running mean of its reports' `link_asymmetry_db_x10`, where known.
	pub mean_link_asymmetry: i32,
	/// How many of its reports had a known link asymmetry (saturating).
	pub asymmetries: u8,
}

/// `mean + (value − mean) / 8`; the first value is taken as it is.
fn running_mean(mean: i32, value: i32, first: bool) -> i32 {
	if first {
		value
	} else {
		mean.saturating_add(value.saturating_sub(mean) >> MEAN_SHIFT)
	}
}

impl PeerHistory {
	/// Records a passing report of `w` (history `witness`) on `b`'s beacon (history
	/// `beaconer`), whose features were `features`.
	pub fn record(
		witness: &mut PeerHistory,
		beaconer: &mut PeerHistory,
		w: PeerTag,
		b: PeerTag,
		features: &Features,
	) {
		let margin = features[0] as i16;
		witness.mean_margin_slope =
			running_mean(witness.mean_margin_slope, features[9], witness.heard.len == 0);
		if witness.heard_by.newest_margin(&b).is_some() {
			witness.mean_link_asymmetry =
				running_mean(witness.mean_link_asymmetry, features[11], witness.asymmetries == 0);
			witness.asymmetries = witness.asymmetries.saturating_add(1);
		}
		witness.heard.push(b, margin);
		beaconer.heard_by.push(w, margin);
	}

	/// Distinct beaconers it heard that also heard it.
	pub fn mutual_peers(&self) -> u32 {
		self.heard.distinct().filter(|tag| self.heard_by.contains(tag)).count() as u32
	}
}

/// What the features of one passing witness report are computed from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WitnessFacts {
	/// Reported RSSI, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Reported SNR, tenths of dB.
	pub snr_db_x10: i16,
	/// The free-space limit for this pair, milli-dBm ([`crate::fspl::max_rssi_milli_dbm`]).
	pub limit_milli_dbm: i64,
	/// Beaconer to witness, metres.
	pub distance_m: u64,
	/// Whether one owner holds both.
	pub same_owner: bool,
	/// Hotspots in the witness's resolution-8 hex.
	pub hex_hotspots: u32,
	/// The beaconer's tag.
	pub beaconer: PeerTag,
}

fn clamp(value: i64, limit: i32) -> i32 {
	value.clamp(-i64::from(limit), i64::from(limit)) as i32
}

/// The margin in 0.01 dB per doubling of the distance past [`SLOPE_REFERENCE_M`]; 0 within
/// twice that distance.
fn margin_slope(margin_db_x10: i64, distance_m: u64) -> i64 {
	// log2(d / 10 m) in Q32.
	let doublings = log2_q32(u128::from(distance_m / SLOPE_REFERENCE_M)).unwrap_or(0);
	if doublings < (1 << 32) {
		return 0;
	}
	let scaled = i128::from(margin_db_x10).saturating_mul(10 << 32);
	i64::try_from(scaled / i128::from(doublings)).unwrap_or(i64::MAX)
}

/// The feature vector of a passing report, given the witness's history before it.
pub fn features(facts: &WitnessFacts, witness: &PeerHistory) -> Features {
	let rssi = i64::from(facts.rssi_dbm_x10);
	let margin = clamp(
		facts.limit_milli_dbm.saturating_sub(rssi.saturating_mul(100)).div_euclid(100),
		3_000,
	)
	.max(0);
	let snr = i64::from(facts.snr_db_x10);
	let gap = snr.saturating_sub(rssi.saturating_sub(i64::from(NOISE_FLOOR_DBM_X10)));
	let distance = facts.distance_m.saturating_add(5) / 10;
	let asymmetry = witness
		.heard_by
		.newest_margin(&facts.beaconer)
		.map_or(0, |theirs| i64::from(margin) - i64::from(theirs));
	[
		margin,
		clamp(snr, FEATURE_LIMIT),
		clamp(gap, 2_000),
		clamp(i64::try_from(distance).unwrap_or(i64::MAX), FEATURE_LIMIT),
		i32::from(witness.heard.len),
		witness.heard.distinct().count() as i32,
		clamp(i64::from(witness.mutual_peers()), FEATURE_LIMIT),
		i32::from(facts.same_owner),
		clamp(i64::from(facts.hex_hotspots), FEATURE_LIMIT),
		clamp(margin_slope(i64::from(margin), facts.distance_m), FEATURE_LIMIT),
		clamp(i64::from(witness.mean_margin_slope), FEATURE_LIMIT),
		clamp(asymmetry, FEATURE_LIMIT),
		clamp(i64::from(witness.mean_link_asymmetry), FEATURE_LIMIT),
	]
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn tag(n: u8) -> PeerTag {
		[n; 8]
	}

	fn facts(beaconer: PeerTag, rssi_dbm_x10: i16) -> WitnessFacts {
		WitnessFacts {
			rssi_dbm_x10,
			snr_db_x10: 50,
			limit_milli_dbm: -90_000,
			distance_m: 2_004,
			same_owner: true,
			hex_hotspots: 3,
			beaconer,
		}
	}

	#[test]
	fn the_ring_keeps_the_last_sixteen_and_finds_the_newest() {
		let mut recent = Recent::default();
		for n in 0..20u8 {
			recent.push(tag(n % 18), i16::from(n));
		}
		assert_eq!(recent.len, 16);
		assert!(!recent.contains(&tag(3)));
		assert!(recent.contains(&tag(4)) && recent.contains(&tag(17)));
		// Tag 1 was pushed at n = 1 (forgotten) and n = 19.
		assert_eq!(recent.newest_margin(&tag(1)), Some(19));
		assert_eq!(recent.newest_margin(&tag(3)), None);
	}

	/// Hotspots `0..n` witnessing each other round after round at `rssi`.
	fn rounds(n: u8, rounds: usize, rssi: impl Fn(u8, u8) -> i16) -> Vec<PeerHistory> {
		let mut histories = vec![PeerHistory::default(); usize::from(n)];
		for _ in 0..rounds {
			for b in 0..n {
				for w in (0..n).filter(|w| *w != b) {
					let f = features(&facts(tag(b), rssi(b, w)), &histories[usize::from(w)]);
					let (mut wh, mut bh) = (histories[usize::from(w)], histories[usize::from(b)]);
					PeerHistory::record(&mut wh, &mut bh, tag(w), tag(b), &f);
					histories[usize::from(w)] = wh;
					histories[usize::from(b)].heard_by = bh.heard_by;
				}
			}
		}
		histories
	}

	#[test]
	fn a_ring_of_five_has_four_distinct_mutual_peers() {
		let histories = rounds(5, 4, |_, _| -1000);
		let f = features(&facts(tag(1), -1000), &histories[0]);
		// Margin 10 dB over 2,004 m: log2(200) = 7.64 doublings past 10 m, 130.8 hundredths
		// of a dB per doubling, rounded down.
		assert_eq!(&f[..9], &[100, 50, 50 - (-1000 + 1170), 200, 16, 4, 4, 1, 3]);
		assert_eq!(f[9], 130);
		assert_eq!(f[10], 130, "the same slope every time");
		assert_eq!((f[11], f[12]), (0, 0), "symmetric links");
	}

	#[test]
	fn a_witness_that_inflates_what_it_hears_has_asymmetric_links() {
		// Hotspot 0 reports 8 dB louder than the path allows; the others are honest.
		let histories = rounds(4, 3, |_, w| if w == 0 { -920 } else { -1000 });
		let inflated = features(&facts(tag(1), -920), &histories[0]);
		assert_eq!(inflated[11], 20 - 100, "its margin minus what hotspot 1 reported of it");
		assert_eq!(inflated[12], -80);
		let honest = features(&facts(tag(0), -1000), &histories[1]);
		assert_eq!(honest[11], 100 - 20);
	}

	#[test]
	fn a_report_at_the_free_space_limit_has_no_margin() {
		let facts = WitnessFacts {
			rssi_dbm_x10: -905,
			snr_db_x10: 100,
			limit_milli_dbm: -90_450,
			distance_m: 100_000,
			same_owner: false,
			hex_hotspots: 100_000,
			beaconer: tag(9),
		};
		let f = features(&facts, &PeerHistory::default());
		// −90.45 dBm − (−90.5) = 0.05 dB: rounded down to 0 tenths.
		assert_eq!(f[0], 0);
		assert_eq!(f[3], 10_000);
		assert_eq!(f[8], FEATURE_LIMIT);
		assert_eq!(&f[4..8], &[0, 0, 0, 0]);
		assert_eq!(&f[9..], &[0, 0, 0, 0]);
	}

	proptest! {
		#[test]
		fn every_feature_fits_q16_16(
			rssi in any::<i16>(),
			snr in any::<i16>(),
			limit in -10_000_000i64..10_000_000,
			distance in any::<u64>(),
			same in any::<bool>(),
			hex in any::<u32>(),
			peers in proptest::collection::vec((0u8..40, any::<i16>()), 0..64),
			means in any::<(i32, i32)>(),
		) {
			let mut history = PeerHistory {
				mean_margin_slope: means.0,
				mean_link_asymmetry: means.1,
				..PeerHistory::default()
			};
			for (i, (p, m)) in peers.iter().enumerate() {
				if i % 2 == 0 { history.heard.push(tag(*p), *m) } else { history.heard_by.push(tag(*p), *m) }
			}
			let facts = WitnessFacts {
				rssi_dbm_x10: rssi,
				snr_db_x10: snr,
				limit_milli_dbm: limit,
				distance_m: distance,
				same_owner: same,
				hex_hotspots: hex,
				beaconer: tag(peers.first().map_or(0, |p| p.0)),
			};
			let f = features(&facts, &history);
			prop_assert!(f.iter().all(|v| v.abs() <= FEATURE_LIMIT));
			prop_assert!(f[5] <= f[4] && f[6] <= f[5] && f[4] <= HISTORY_LEN as i32);
		}
	}
}
