//! HIP-17 hex density with the HIP-104 parameters: how much a hotspot's rewards are scaled
//! down for sharing its area with many others.
//!
//! Asserted hotspots are counted per resolution-11 cell. Going up from resolution 10 to 4,
//! a cell's *unclipped* count is the sum of its children's *clipped* counts; *occupied* is
//! the number of cells in its 1-ring (7 cells, itself included) whose clipped count reaches
//! the resolution's target; `limit = min(max, target · (max(occupied − N, 0) + 1))` and
//! `clipped = min(limit, unclipped)`. A hotspot's scale is the product of
//! `clipped / unclipped` over its parents at resolutions 10 … 4.
//!
//! Because `limit ≥ target`, a cell's clipped count reaches the target exactly when its
//! unclipped count does, so occupancy can be read from the unclipped counts of the ring
//! without circularity. Counts are integers; the scale is an exact `FixedU128` product.

use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use h3o::{CellIndex, Resolution};
use polkadot_sdk::sp_arithmetic::{
	traits::{One, Saturating},
	FixedPointNumber, FixedU128,
};

/// The resolution hotspots are counted at.
pub const COUNT_RESOLUTION: Resolution = Resolution::Eleven;

/// HIP-17 parameters of one resolution.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ResolutionParams {
	/// N: occupied neighbours allowed before the limit grows.
	pub n: u32,
	/// The count a cell needs to be "occupied".
	pub target: u32,
	/// The most a cell's clipped count can be.
	pub max: u32,
}

/// The HIP-104 parameters for resolutions 4 … 10 (index 0 is resolution 4).
pub const HIP104: [ResolutionParams; 7] = [
	ResolutionParams { n: 2, target: 500, max: 1000 },
	ResolutionParams { n: 4, target: 100, max: 200 },
	ResolutionParams { n: 4, target: 25, max: 50 },
	ResolutionParams { n: 4, target: 5, max: 10 },
	ResolutionParams { n: 2, target: 1, max: 1 },
	ResolutionParams { n: 2, target: 1, max: 1 },
	ResolutionParams { n: 2, target: 1, max: 1 },
];

/// The parameters of resolution `res` (4 … 10).
pub fn params(res: Resolution) -> Option<ResolutionParams> {
	let index = u8::from(res).checked_sub(4)?;
	HIP104.get(usize::from(index)).copied()
}

/// The HIP-17 limit: `min(max, target · (max(occupied − N, 0) + 1))`.
pub fn limit(p: ResolutionParams, occupied: u32) -> u32 {
	let steps = occupied.saturating_sub(p.n).saturating_add(1);
	p.max.min(p.target.saturating_mul(steps))
}

/// Clipped and unclipped counts of one cell.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
pub struct Counts {
	/// The sum of the children's clipped counts (at resolution 11: the hotspots in it).
	pub unclipped: u32,
	/// `min(limit, unclipped)`.
	pub clipped: u32,
}

/// Every cell's counts, resolutions 4 … 11, for hotspots counted per resolution-11 cell.
#[derive(Clone, Debug, Default)]
pub struct DensityMap {
	cells: BTreeMap<CellIndex, Counts>,
}

impl DensityMap {
	/// Computes the map from the number of hotspots in each resolution-11 cell (cells at
	/// other resolutions are ignored).
	pub fn compute(hotspots_per_cell: &BTreeMap<CellIndex, u32>) -> Self {
		let mut cells: BTreeMap<CellIndex, Counts> = hotspots_per_cell
			.iter()
			.filter(|(cell, count)| cell.resolution() == COUNT_RESOLUTION && **count > 0)
			.map(|(cell, count)| (*cell, Counts { unclipped: *count, clipped: *count }))
			.collect();
		let mut level: Vec<CellIndex> = cells.keys().copied().collect();
		for res in (4u8..=10).rev() {
			let Ok(resolution) = Resolution::try_from(res) else { continue };
			let Some(p) = params(resolution) else { continue };
			// Unclipped: sums of the children's clipped counts.
			let mut parents: BTreeMap<CellIndex, u32> = BTreeMap::new();
			for child in &level {
				let clipped = cells.get(child).map(|c| c.clipped).unwrap_or(0);
				if let Some(parent) = child.parent(resolution) {
					let sum = parents.entry(parent).or_default();
					*sum = sum.saturating_add(clipped);
				}
			}
			// Clipped: limited by how many cells of the 1-ring reach the target.
			let mut clipped_level = Vec::with_capacity(parents.len());
			for (cell, unclipped) in &parents {
				let ring: Vec<CellIndex> = cell.grid_disk(1);
				let occupied = ring
					.iter()
					.filter(|c| parents.get(c).copied().unwrap_or(0) >= p.target)
					.count() as u32;
				let clipped = limit(p, occupied).min(*unclipped);
				clipped_level.push((*cell, Counts { unclipped: *unclipped, clipped }));
			}
			level = clipped_level.iter().map(|(cell, _)| *cell).collect();
			cells.extend(clipped_level);
		}
		Self { cells }
	}

	/// The counts of `cell`, if it holds hotspots.
	pub fn counts(&self, cell: CellIndex) -> Option<Counts> {
		self.cells.get(&cell).copied()
	}

	/// The scale of a hotspot in resolution-11 cell `cell`: the product of
	/// `clipped / unclipped` over its parents at resolutions 10 … 4 (1 for an empty path).
	pub fn scale(&self, cell: CellIndex) -> FixedU128 {
		scale_from(&self.cells, cell)
	}
}

/// Where the incremental computation keeps its counts: storage in the pallet, a map in
/// tests. Cells without hotspots read as zero.
pub trait CountsStore {
	/// The counts of `cell` (zero if none).
	fn get(&self, cell: CellIndex) -> Counts;
	/// Stores the counts of `cell` (zero removes it).
	fn set(&mut self, cell: CellIndex, counts: Counts);
}

/// Adds or removes one hotspot in resolution-11 `cell`. Returns the cell whose counts must
/// be recomputed next (its resolution-10 parent), or `None` for a cell at another
/// resolution or a removal from an empty cell.
pub fn add_hotspot<S: CountsStore>(
	store: &mut S,
	cell: CellIndex,
	added: bool,
) -> Option<CellIndex> {
	if cell.resolution() != COUNT_RESOLUTION {
		return None;
	}
	let current = store.get(cell).unclipped;
	let count = if added { current.saturating_add(1) } else { current.checked_sub(1)? };
	store.set(cell, Counts { unclipped: count, clipped: count });
	cell.parent(Resolution::Ten)
}

/// Whether `unclipped` makes a cell occupied at resolution parameters `p`.
fn is_occupied(p: ResolutionParams, unclipped: u32) -> bool {
	unclipped >= p.target
}

/// One step of the incremental computation: recomputes `cell` (resolution 4 … 10) from
/// its children's clipped counts and its 1-ring's unclipped counts, stores the result and
/// returns the cells that may change because of it: the parent when the clipped count
/// changed, the ring's cells when this cell's occupancy flipped. Repeating steps until
/// nothing is returned reaches the same counts as [`DensityMap::compute`] (unclipped
/// counts depend only on the level below, limits only on unclipped counts of the level).
pub fn recompute<S: CountsStore>(store: &mut S, cell: CellIndex) -> Vec<CellIndex> {
	let resolution = cell.resolution();
	let (Some(p), Some(child_resolution)) = (params(resolution), resolution.succ()) else {
		return Vec::new();
	};
	let unclipped = cell
		.children(child_resolution)
		.fold(0u32, |sum, child| sum.saturating_add(store.get(child).clipped));
	let old = store.get(cell);
	let ring: Vec<CellIndex> = cell.grid_disk(1);
	let occupied = ring
		.iter()
		.filter(|c| {
			if **c == cell {
				is_occupied(p, unclipped)
			} else {
				is_occupied(p, store.get(**c).unclipped)
			}
		})
		.count() as u32;
	let new = Counts { unclipped, clipped: limit(p, occupied).min(unclipped) };
	store.set(cell, new);

	let mut next = Vec::new();
	if new.clipped != old.clipped {
		if let Some(parent) =
			resolution.pred().filter(|r| params(*r).is_some()).and_then(|r| cell.parent(r))
		{
			next.push(parent);
		}
	}
	if is_occupied(p, new.unclipped) != is_occupied(p, old.unclipped) {
		next.extend(ring.into_iter().filter(|c| *c != cell && store.get(*c).unclipped > 0));
	}
	next
}

/// The scale of a hotspot in resolution-11 cell `cell` from stored counts: the product of
/// `clipped / unclipped` over its parents at resolutions 10 … 4.
pub fn scale_from<S: CountsStore>(store: &S, cell: CellIndex) -> FixedU128 {
	let mut scale = FixedU128::one();
	for res in (4u8..=10).rev() {
		let Ok(resolution) = Resolution::try_from(res) else { continue };
		let Some(parent) = cell.parent(resolution) else { continue };
		let counts = store.get(parent);
		if counts.unclipped > 0 {
			scale = scale.saturating_mul(FixedU128::saturating_from_rational(
				counts.clipped,
				counts.unclipped,
			));
		}
	}
	scale
}

impl CountsStore for BTreeMap<CellIndex, Counts> {
	fn get(&self, cell: CellIndex) -> Counts {
		BTreeMap::get(self, &cell).copied().unwrap_or_default()
	}
	fn set(&mut self, cell: CellIndex, counts: Counts) {
		if counts == Counts::default() {
			self.remove(&cell);
		} else {
			self.insert(cell, counts);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use h3o::LatLng;
	use polkadot_sdk::sp_arithmetic::traits::Zero;
	use proptest::prelude::*;

	fn cell(lat: f64, lng: f64) -> CellIndex {
		LatLng::new(lat, lng).unwrap().to_cell(COUNT_RESOLUTION)
	}

	#[test]
	fn the_limit_function_of_the_issue() {
		let p = ResolutionParams { n: 2, target: 1, max: 4 };
		let limits: Vec<u32> = (0..=7).map(|occupied| limit(p, occupied)).collect();
		assert_eq!(limits, vec![1, 1, 1, 2, 3, 4, 4, 4]);
	}

	#[test]
	fn a_lone_hotspot_has_full_scale() {
		let c = cell(38.7223, -9.1393);
		let map = DensityMap::compute(&BTreeMap::from([(c, 1)]));
		assert_eq!(map.scale(c), FixedU128::one());
	}

	#[test]
	fn two_hotspots_in_one_cell_share_it() {
		// Resolution 10 allows 1 (max 1): the parent's unclipped count is 2, clipped 1, so
		// each hotspot is scaled by 1/2; higher resolutions see 1 and do not clip further.
		let c = cell(38.7223, -9.1393);
		let map = DensityMap::compute(&BTreeMap::from([(c, 2)]));
		let parent = c.parent(Resolution::Ten).unwrap();
		assert_eq!(map.counts(parent), Some(Counts { unclipped: 2, clipped: 1 }));
		assert_eq!(map.scale(c), FixedU128::saturating_from_rational(1, 2));
	}

	#[test]
	fn the_scale_is_the_product_over_the_parents() {
		// Twelve hotspots spread over the children of one resolution-10 cell.
		let base = cell(52.52, 13.405);
		let parent = base.parent(Resolution::Ten).unwrap();
		let children: Vec<CellIndex> = parent.children(COUNT_RESOLUTION).collect();
		let counts: BTreeMap<CellIndex, u32> = children.iter().map(|c| (*c, 2)).collect();
		let map = DensityMap::compute(&counts);
		for child in &children {
			let mut expected = FixedU128::one();
			for res in (4u8..=10).rev() {
				let p = child.parent(Resolution::try_from(res).unwrap()).unwrap();
				let c = map.counts(p).unwrap();
				expected = expected
					.saturating_mul(FixedU128::saturating_from_rational(c.clipped, c.unclipped));
			}
			assert_eq!(map.scale(*child), expected);
			assert!(map.scale(*child) < FixedU128::one());
		}
	}

	#[test]
	fn occupied_neighbours_raise_the_limit() {
		// Resolution 8 allows one per cell, so a resolution-7 cell holds at most 7 (one per
		// child). Resolution 7 (N 4, target 5, max 10): alone, such a cell keeps
		// min(10, 5 · 1) = 5; with its whole 1-ring occupied, min(10, 5 · (7 − 4 + 1)) = 10,
		// so all 7 count.
		let centre = cell(40.0, -3.7).parent(Resolution::Seven).unwrap();
		let ring: Vec<CellIndex> = centre.grid_disk(1);
		assert_eq!(ring.len(), 7);
		let one_per_child = |c: CellIndex| -> Vec<CellIndex> {
			c.children(Resolution::Eight)
				.map(|r8| r8.center_child(COUNT_RESOLUTION).unwrap())
				.collect()
		};
		let alone: BTreeMap<CellIndex, u32> =
			one_per_child(centre).into_iter().map(|c| (c, 1)).collect();
		let map = DensityMap::compute(&alone);
		assert_eq!(map.counts(centre), Some(Counts { unclipped: 7, clipped: 5 }));
		let crowded: BTreeMap<CellIndex, u32> =
			ring.iter().flat_map(|c| one_per_child(*c)).map(|c| (c, 1)).collect();
		let map = DensityMap::compute(&crowded);
		assert_eq!(map.counts(centre), Some(Counts { unclipped: 7, clipped: 7 }));
	}

	/// Applies one hotspot change and runs the worklist until it is empty, as the pallet does
	/// over several blocks.
	fn apply(store: &mut BTreeMap<CellIndex, Counts>, cell: CellIndex, added: bool) -> usize {
		let mut queue: alloc::collections::VecDeque<CellIndex> =
			add_hotspot(store, cell, added).into_iter().collect();
		let mut steps = 0;
		while let Some(next) = queue.pop_front() {
			steps += 1;
			for c in recompute(store, next) {
				if !queue.contains(&c) {
					queue.push_back(c);
				}
			}
		}
		steps
	}

	#[test]
	fn the_incremental_map_of_one_crowded_ring_matches_the_full_computation() {
		let centre = cell(40.0, -3.7).parent(Resolution::Seven).unwrap();
		let hotspots: Vec<CellIndex> = centre
			.grid_disk::<Vec<_>>(1)
			.into_iter()
			.flat_map(|c| {
				c.children(Resolution::Eight)
					.map(|r8| r8.center_child(COUNT_RESOLUTION).unwrap())
					.collect::<Vec<_>>()
			})
			.collect();
		let mut store = BTreeMap::new();
		for h in &hotspots {
			apply(&mut store, *h, true);
		}
		let full = DensityMap::compute(&hotspots.iter().map(|h| (*h, 1)).collect());
		assert_eq!(store, full.cells);
		assert_eq!(store.get(&centre).copied(), Some(Counts { unclipped: 7, clipped: 7 }));
		for h in &hotspots {
			apply(&mut store, *h, false);
		}
		assert!(store.is_empty(), "removing every hotspot empties the map");
	}

	proptest! {
		#[test]
		fn incremental_updates_match_the_full_computation(
			points in proptest::collection::vec((40.0f64..40.05, -3.75f64..-3.65), 1..40),
			removals in proptest::collection::vec(any::<prop::sample::Index>(), 0..10),
		) {
			let mut hotspots: Vec<CellIndex> = points.iter().map(|(lat, lng)| cell(*lat, *lng)).collect();
			let mut store = BTreeMap::new();
			for h in &hotspots {
				apply(&mut store, *h, true);
			}
			for r in removals {
				if hotspots.is_empty() { break; }
				let h = hotspots.remove(r.index(hotspots.len()));
				apply(&mut store, h, false);
			}
			let mut counts: BTreeMap<CellIndex, u32> = BTreeMap::new();
			for h in &hotspots {
				*counts.entry(*h).or_default() += 1;
			}
			let full = DensityMap::compute(&counts);
			prop_assert_eq!(&store, &full.cells);
			for h in &hotspots {
				prop_assert_eq!(scale_from(&store, *h), full.scale(*h));
			}
		}

		#[test]
		fn scales_lie_between_zero_and_one(points in proptest::collection::vec((-60.0f64..60.0, -170.0f64..170.0, 1u32..4), 1..20)) {
			let counts: BTreeMap<CellIndex, u32> = points.iter().map(|(lat, lng, n)| (cell(*lat, *lng), *n)).collect();
			let map = DensityMap::compute(&counts);
			for c in counts.keys() {
				let s = map.scale(*c);
				prop_assert!(s > FixedU128::zero() && s <= FixedU128::one());
			}
		}

		#[test]
		fn clipped_never_exceeds_unclipped(points in proptest::collection::vec((38.0f64..39.0, -9.5f64..-8.5), 1..40)) {
			let counts: BTreeMap<CellIndex, u32> = points.iter().map(|(lat, lng)| (cell(*lat, *lng), 1)).collect();
			let map = DensityMap::compute(&counts);
			for (_, c) in map.cells.iter() {
				prop_assert!(c.clipped <= c.unclipped);
			}
		}
	}
}
