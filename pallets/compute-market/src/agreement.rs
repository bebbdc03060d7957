//! The agreement maths of the compute market: pure, storage-free, integer only.
//!
//! - Two quantized outputs **agree** when, for a classifier, they have the same argmax in
//!   every row (a job may carry a batch: one output row per input row), and every element
//!   pair is within `max(τ_abs, ⌈τ_rel · max(|a_i|, |b_i|)⌉)`.
//! - The **anchor** is the output that agrees with the most others, ties broken by the
//!   lowest assignment hash; the **cluster** is the anchor and every output agreeing with it.
//! - The **result** is the element-wise lower median of the cluster.

use alloc::vec::Vec;
use polkadot_sdk::sp_runtime::traits::AtLeast32BitUnsigned;

/// How far two quantized outputs may differ and still agree.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tolerance {
	/// Whether the outputs are class scores (then the argmax of every row must match).
	pub classifier: bool,
	/// Elements in one output row (the model's `output_len`); 0 reads the whole output as
	/// one row.
	pub row_len: u32,
	/// Absolute tolerance, in output units.
	pub absolute: u32,
	/// Relative tolerance, in parts per million of the larger magnitude (rounded up).
	pub relative_ppm: u32,
}

/// The index of the largest element, the first one on ties; `None` for an empty output.
pub fn argmax(output: &[i32]) -> Option<usize> {
	let mut best: Option<(usize, i32)> = None;
	for (i, &v) in output.iter().enumerate() {
		if best.is_none_or(|(_, b)| v > b) {
			best = Some((i, v));
		}
	}
	best.map(|(i, _)| i)
}

/// The largest difference allowed between `a` and `b`:
/// `max(τ_abs, ⌈τ_rel · max(|a|, |b|)⌉)`.
pub fn allowed_difference(a: i32, b: i32, tolerance: &Tolerance) -> u64 {
	let magnitude = u64::from(a.unsigned_abs().max(b.unsigned_abs()));
	// magnitude < 2^32 and ppm < 2^32, so the product fits a u64.
	let relative =
		(magnitude.saturating_mul(u64::from(tolerance.relative_ppm))).div_ceil(1_000_000);
	relative.max(u64::from(tolerance.absolute))
}

/// Whether two outputs agree under `tolerance`. Outputs of different lengths never agree.
pub fn agree(a: &[i32], b: &[i32], tolerance: &Tolerance) -> bool {
	if a.len() != b.len() {
		return false;
	}
	if tolerance.classifier {
		let row = match tolerance.row_len as usize {
			0 => a.len().max(1),
			n => n,
		};
		if a.chunks(row).zip(b.chunks(row)).any(|(x, y)| argmax(x) != argmax(y)) {
			return false;
		}
	}
	a.iter().zip(b).all(|(&x, &y)| {
		let difference = (i64::from(x) - i64::from(y)).unsigned_abs();
		difference <= allowed_difference(x, y, tolerance)
	})
}

/// The agreed outcome of a set of outputs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Agreement {
	/// Index of the anchor among the outputs.
	pub anchor: usize,
	/// Indices of the cluster (the anchor and all outputs agreeing with it), ascending.
	pub cluster: Vec<usize>,
	/// The element-wise lower median of the cluster.
	pub result: Vec<i32>,
}

/// Finds the anchor and its cluster among `outputs` (each with its assignment hash) and the
/// cluster's median. `None` for no outputs. Quorum is the caller's check.
pub fn find_agreement(outputs: &[(&[i32], [u8; 32])], tolerance: &Tolerance) -> Option<Agreement> {
	let count = outputs.len();
	// agrees[i][j] for i < j, computed once: agreement is symmetric.
	let mut support = alloc::vec![0usize; count];
	let mut matrix = alloc::vec![false; count * count];
	for i in 0..count {
		for j in (i + 1)..count {
			if agree(outputs[i].0, outputs[j].0, tolerance) {
				matrix[i * count + j] = true;
				matrix[j * count + i] = true;
				support[i] = support[i].saturating_add(1);
				support[j] = support[j].saturating_add(1);
			}
		}
	}
	let anchor = (0..count).max_by(|&i, &j| {
		// More support wins; on equal support the lower assignment hash wins.
		support[i].cmp(&support[j]).then_with(|| outputs[j].1.cmp(&outputs[i].1))
	})?;
	let cluster: Vec<usize> =
		(0..count).filter(|&j| j == anchor || matrix[anchor * count + j]).collect();
	let members: Vec<&[i32]> = cluster.iter().map(|&i| outputs[i].0).collect();
	let result = lower_median(&members);
	Some(Agreement { anchor, cluster, result })
}

/// The element-wise lower median of equally long outputs: for each position, the value at
/// index `⌊(m − 1) / 2⌋` of the m sorted values. Empty for no outputs.
pub fn lower_median(outputs: &[&[i32]]) -> Vec<i32> {
	let Some(first) = outputs.first() else { return Vec::new() };
	let mut column = Vec::with_capacity(outputs.len());
	(0..first.len())
		.map(|i| {
			column.clear();
			column.extend(outputs.iter().filter_map(|o| o.get(i).copied()));
			column.sort_unstable();
			column.get(column.len().saturating_sub(1) / 2).copied().unwrap_or_default()
		})
		.collect()
}

/// `payable` split equally among `members`: (each one's share, the remainder left over).
pub fn equal_split<B: AtLeast32BitUnsigned + Copy>(payable: B, members: u32) -> (B, B) {
	if members == 0 {
		return (B::zero(), payable);
	}
	let count = B::from(members);
	let share = payable / count;
	(share, payable.saturating_sub(share.saturating_mul(count)))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const F16: Tolerance =
		Tolerance { classifier: false, row_len: 0, absolute: 8, relative_ppm: 1_000 };
	const CLASSES: Tolerance =
		Tolerance { classifier: true, row_len: 0, absolute: 8, relative_ppm: 1_000 };

	/// Quantizes like the workers do: round half to even of `y · 2^F`.
	fn quantize(y: f32, fraction_bits: u8) -> i32 {
		let scaled = f64::from(y) * f64::from(1u32 << fraction_bits);
		let rounded = scaled.round_ties_even();
		rounded.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
	}

	/// `y` moved by `ulps` units in the last place of its f32 representation.
	fn nudge(y: f32, ulps: i32) -> f32 {
		f32::from_bits((y.to_bits() as i32 + ulps) as u32)
	}

	fn hash(b: u8) -> [u8; 32] {
		[b; 32]
	}

	#[test]
	fn argmax_takes_the_first_of_equals() {
		assert_eq!(argmax(&[1, 5, 5, 2]), Some(1));
		assert_eq!(argmax(&[-3]), Some(0));
		assert_eq!(argmax(&[]), None);
	}

	#[test]
	fn tolerance_is_absolute_or_relative_whichever_is_larger() {
		// Small values: the absolute tolerance (8) governs.
		assert!(agree(&[100], &[108], &F16));
		assert!(!agree(&[100], &[109], &F16));
		// Large values: 1e-3 of 1_000_000 is 1000.
		assert!(agree(&[1_000_000], &[999_000], &F16));
		assert!(!agree(&[1_000_000], &[998_999], &F16));
		// Rounded up: ⌈1e-3 · 10_001⌉ = 11.
		assert!(agree(&[10_001], &[9_990], &F16));
		// Extremes do not overflow.
		assert!(!agree(&[i32::MIN], &[i32::MAX], &F16));
		assert!(agree(&[i32::MIN], &[i32::MIN + 1000], &F16));
	}

	#[test]
	fn classifiers_must_share_the_argmax() {
		// Within tolerance element-wise, but the top class differs.
		assert!(agree(&[100, 104], &[104, 100], &F16));
		assert!(!agree(&[100, 104], &[104, 100], &CLASSES));
		assert!(agree(&[100, 140], &[104, 136], &CLASSES));
	}

	#[test]
	fn a_batch_of_classes_must_share_every_row_argmax() {
		let rows = Tolerance { row_len: 2, ..CLASSES };
		// The whole output's argmax is the same (index 0), but row 2's class differs.
		assert!(agree(&[900, 100, 100, 104], &[900, 100, 100, 104], &rows));
		assert!(!agree(&[900, 100, 100, 104], &[900, 100, 104, 100], &rows));
		assert!(agree(&[900, 100, 100, 104], &[900, 100, 104, 100], &CLASSES));
		// Rows of one element: every row's argmax is 0, only the values count.
		assert!(agree(&[1, 2], &[2, 1], &Tolerance { row_len: 1, ..CLASSES }));
	}

	#[test]
	fn different_lengths_never_agree() {
		assert!(!agree(&[1, 2], &[1, 2, 3], &F16));
	}

	#[test]
	fn float_noise_between_workers_still_agrees() {
		// One model output computed on three machines: the floats differ by 1–3 ulps, the
		// quantized values by a unit or so; they all agree and the median is the middle.
		let truth = [0.731_058_6f32, -2.5e-4, 12.345_678, 1.0e-7];
		let worker = |ulps: i32| -> Vec<i32> {
			truth.iter().map(|&y| quantize(nudge(y, ulps), 16)).collect()
		};
		let (a, b, c) = (worker(0), worker(3), worker(-2));
		for (x, y) in [(&a, &b), (&a, &c), (&b, &c)] {
			assert!(agree(x, y, &F16), "{x:?} vs {y:?}");
		}
		// Differences in the last quantized place (±1..3 units) agree too.
		let shifted: Vec<i32> = a.iter().zip([1, -3, 2, 1]).map(|(v, d)| v + d).collect();
		assert!(agree(&a, &shifted, &F16));
		let outputs = [(&a[..], hash(3)), (&b[..], hash(1)), (&shifted[..], hash(2))];
		let agreement = find_agreement(&outputs, &F16).unwrap();
		assert_eq!(agreement.cluster, vec![0, 1, 2]);
		for (i, &r) in agreement.result.iter().enumerate() {
			let mut column = [a[i], b[i], shifted[i]];
			column.sort();
			assert_eq!(r, column[1]);
		}
	}

	#[test]
	fn the_dissenter_is_left_out() {
		let honest = [1000, 2000, 3000];
		let close = [1003, 1998, 3001];
		let liar = [5000, 2000, 3000];
		let outputs = [(&liar[..], hash(0)), (&honest[..], hash(5)), (&close[..], hash(6))];
		let agreement = find_agreement(&outputs, &F16).unwrap();
		assert_eq!(agreement.cluster, vec![1, 2]);
		// Lower median of two values: the smaller.
		assert_eq!(agreement.result, vec![1000, 1998, 3000]);
	}

	#[test]
	fn ties_go_to_the_lowest_assignment_hash() {
		let a = [0];
		let b = [1000];
		let c = [2000];
		let outputs = [(&a[..], hash(9)), (&b[..], hash(2)), (&c[..], hash(4))];
		let agreement = find_agreement(&outputs, &F16).unwrap();
		assert_eq!(agreement.anchor, 1);
		assert_eq!(agreement.cluster, vec![1]);
		assert_eq!(agreement.result, vec![1000]);
	}

	#[test]
	fn no_outputs_no_agreement() {
		assert_eq!(find_agreement(&[], &F16), None);
	}

	#[test]
	fn equal_split_keeps_every_unit() {
		assert_eq!(equal_split(900u128, 3), (300, 0));
		assert_eq!(equal_split(1000u64, 3), (333, 1));
		assert_eq!(equal_split(5u32, 0), (0, 5));
	}

	fn output(len: usize) -> impl Strategy<Value = Vec<i32>> {
		proptest::collection::vec(any::<i32>(), len)
	}

	fn tolerance() -> impl Strategy<Value = Tolerance> {
		// Row lengths that divide the 6-element outputs below, and 0 (one row).
		(any::<bool>(), prop::sample::select(vec![0u32, 1, 2, 3, 6]), 0u32..1 << 20, 0u32..100_000)
			.prop_map(|(classifier, row_len, absolute, relative_ppm)| Tolerance {
				classifier,
				row_len,
				absolute,
				relative_ppm,
			})
	}

	proptest! {
		#[test]
		fn agreement_is_symmetric(a in output(6), b in output(6), t in tolerance()) {
			prop_assert_eq!(agree(&a, &b, &t), agree(&b, &a, &t));
		}

		#[test]
		fn byte_equal_outputs_always_agree(a in output(8), t in tolerance()) {
			prop_assert!(agree(&a, &a.clone(), &t));
		}

		#[test]
		fn the_median_lies_within_the_cluster(
			base in proptest::collection::vec(-1_000_000i32..1_000_000, 5),
			noise in proptest::collection::vec(proptest::collection::vec(-20i32..20, 5), 1..8),
			t in tolerance(),
		) {
			let outputs: Vec<Vec<i32>> = noise.iter().map(|n| base.iter().zip(n).map(|(b, d)| b + d).collect()).collect();
			let hashed: Vec<(&[i32], [u8; 32])> = outputs.iter().enumerate().map(|(i, o)| (&o[..], [i as u8; 32])).collect();
			let agreement = find_agreement(&hashed, &t).unwrap();
			prop_assert!(agreement.cluster.contains(&agreement.anchor));
			prop_assert_eq!(agreement.result.len(), base.len());
			for (i, result) in agreement.result.iter().enumerate() {
				let column: Vec<i32> = agreement.cluster.iter().map(|&m| outputs[m][i]).collect();
				let (lo, hi) = (column.iter().min().unwrap(), column.iter().max().unwrap());
				prop_assert!(lo <= result && result <= hi);
			}
			// Every member agrees with the anchor.
			for &m in &agreement.cluster {
				prop_assert!(agree(&outputs[m], &outputs[agreement.anchor], &t));
			}
		}

		#[test]
		fn the_median_of_identical_outputs_is_that_output(a in output(7), copies in 1usize..8) {
			let refs: Vec<&[i32]> = (0..copies).map(|_| &a[..]).collect();
			prop_assert_eq!(lower_median(&refs), a);
		}

		#[test]
		fn the_anchor_has_the_most_support(outputs in proptest::collection::vec(output(3), 1..7), t in tolerance()) {
			let hashed: Vec<(&[i32], [u8; 32])> = outputs.iter().enumerate().map(|(i, o)| (&o[..], [i as u8; 32])).collect();
			let agreement = find_agreement(&hashed, &t).unwrap();
			let support = |i: usize| (0..outputs.len()).filter(|&j| j != i && agree(&outputs[i], &outputs[j], &t)).count();
			let best = (0..outputs.len()).map(support).max().unwrap();
			prop_assert_eq!(support(agreement.anchor), best);
			prop_assert_eq!(agreement.cluster.len(), best + 1);
		}

		#[test]
		fn equal_split_never_pays_more_than_it_has(payable in any::<u64>(), members in 0u32..100) {
			let (share, rest) = equal_split(u128::from(payable), members);
			prop_assert_eq!(share * u128::from(members) + rest, u128::from(payable));
			prop_assert!(members == 0 || rest < u128::from(members));
		}
	}
}
