//! Great-circle distances between H3 cells in integers, for the consensus path (no floats).
//!
//! A cell's centre is found the way H3 defines it, in two steps. First its face and IJK
//! coordinates: start from the base cell's home face and coordinates, go down one
//! aperture-7 step per resolution (counter-clockwise into Class III resolutions, clockwise
//! into Class II) and move by each digit, then, if the point fell off the face, carry it onto
//! the neighbouring face ("overage"), with H3's two pentagon rules. All of that is integer
//! already. Then the point: H3 places the hex coordinates on the face's gnomonic plane and
//! projects them onto the sphere. A gnomonic projection is a central projection, so the
//! centre is the direction of `C + q·t`, with C the face centre, t the unit tangent towards
//! the point and q the plane distance; with the face's tangent vectors scaled by the
//! resolution-0 unit (`Ug`, `Vg`, generated into `geodesy_tables.rs`) that is
//! `D·C + A·Ug + B·Vg` for integers A, B, D of the hex coordinates (the Class III rotation,
//! `atan(√3/5)`, and its `1/√7` scale are exact in them). It is normalized to a unit vector
//! in Q60 fixed point with one integer square root.
//!
//! The distance is `R · 2·asin(|a − b| / 2)` for unit vectors a, b: the chord's integer
//! square root, then arcsine by halving the angle until it is below 1/16 and a five-term
//! series (error below 10⁻¹⁴ rad), on H3's Earth radius (6,371,007.180918 m). The tests
//! compare every base cell's and many random cells' centres with h3o's and distances with
//! h3o's `LatLng::distance_m` to a millimetre.

use h3o::CellIndex;

#[path = "geodesy_tables.rs"]
mod tables;

/// Fraction bits of the fixed-point unit vectors.
const Q: u32 = 60;
/// 1.0 in Q60.
const ONE: i128 = 1 << Q;
/// H3's Earth radius (`h3o::EARTH_RADIUS_KM`) in micrometres.
const EARTH_RADIUS_UM: i128 = 6_371_007_180_918;
/// Below this (1/16 in Q60) the arcsine's series is used directly.
const SERIES_BELOW: i128 = ONE / 16;

/// One icosahedron face: its centre and its tangent plane's two vectors, Q60.
#[derive(Clone, Copy)]
pub(crate) struct Face {
	centre: [i64; 3],
	u: [i64; 3],
	v: [i64; 3],
}

/// H3's IJK hex coordinates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Ijk {
	i: i64,
	j: i64,
	k: i64,
}

impl Ijk {
	const fn new(i: i64, j: i64, k: i64) -> Self {
		Self { i, j, k }
	}

	fn add(self, other: Self) -> Self {
		Self::new(
			self.i.saturating_add(other.i),
			self.j.saturating_add(other.j),
			self.k.saturating_add(other.k),
		)
	}

	fn sub(self, other: Self) -> Self {
		Self::new(
			self.i.saturating_sub(other.i),
			self.j.saturating_sub(other.j),
			self.k.saturating_sub(other.k),
		)
	}

	fn scale(self, factor: i64) -> Self {
		Self::new(
			self.i.saturating_mul(factor),
			self.j.saturating_mul(factor),
			self.k.saturating_mul(factor),
		)
	}

	/// The same cell with the smallest coordinate zero.
	fn normalize(self) -> Self {
		let min = self.i.min(self.j).min(self.k);
		self.sub(Self::new(min, min, min))
	}

	/// `i·iv + j·jv + k·kv`, normalized: the linear maps below.
	fn combine(self, iv: Self, jv: Self, kv: Self) -> Self {
		iv.scale(self.i).add(jv.scale(self.j)).add(kv.scale(self.k)).normalize()
	}

	/// One aperture-7 step down, counter-clockwise (into a Class III resolution).
	fn down_ccw(self) -> Self {
		self.combine(Self::new(3, 0, 1), Self::new(1, 3, 0), Self::new(0, 1, 3))
	}

	/// One aperture-7 step down, clockwise (into a Class II resolution).
	fn down_cw(self) -> Self {
		self.combine(Self::new(3, 1, 0), Self::new(0, 3, 1), Self::new(1, 0, 3))
	}

	/// One aperture-7 step up, clockwise: the inverse of [`Self::down_cw`], rounded to
	/// the nearest cell (n/7 is never halfway).
	fn up_cw(self) -> Self {
		let (i, j) = (self.i.saturating_sub(self.k), self.j.saturating_sub(self.k));
		let round7 = |n: i64| {
			let (q, r) = (n.div_euclid(7), n.rem_euclid(7));
			if r >= 4 {
				q.saturating_add(1)
			} else {
				q
			}
		};
		Self::new(
			round7(i.saturating_mul(2).saturating_add(j)),
			round7(j.saturating_mul(3).saturating_sub(i)),
			0,
		)
		.normalize()
	}

	fn rotate_ccw(self) -> Self {
		self.combine(Self::new(1, 1, 0), Self::new(0, 1, 1), Self::new(1, 0, 1))
	}

	fn rotate_cw(self) -> Self {
		self.combine(Self::new(1, 0, 1), Self::new(1, 1, 0), Self::new(0, 1, 1))
	}

	/// The neighbour in H3 direction `digit` (1–6; 0 is the cell itself).
	fn neighbour(self, digit: u8) -> Self {
		let unit = match digit {
			1 => Self::new(0, 0, 1),
			2 => Self::new(0, 1, 0),
			3 => Self::new(0, 1, 1),
			4 => Self::new(1, 0, 0),
			5 => Self::new(1, 0, 1),
			6 => Self::new(1, 1, 0),
			_ => return self,
		};
		self.add(unit).normalize()
	}
}

/// H3 direction `digit` turned 60° clockwise.
fn digit_cw(digit: u8) -> u8 {
	match digit {
		1 => 3,
		3 => 2,
		2 => 6,
		6 => 4,
		4 => 5,
		5 => 1,
		other => other,
	}
}

/// `7^n`.
fn seven_to(n: u32) -> i64 {
	7i64.saturating_pow(n)
}

/// The digits of `cell` from resolution 1 to its own, and its resolution.
fn digits(cell: CellIndex) -> ([u8; 15], usize) {
	let bits = u64::from(cell);
	let res = usize::from(u8::from(cell.resolution())).min(15);
	let mut digits = [0u8; 15];
	for (r, digit) in digits.iter_mut().enumerate().take(res) {
		// Resolution r + 1's three bits; resolution 15's are the lowest.
		let shift = (14 - r) * 3;
		*digit = ((bits >> shift) & 0b111) as u8;
	}
	(digits, res)
}

/// Moves a point past its face's edge onto the neighbouring face, at Class II resolution
/// `res`; `false` if it is on its face. `pentagon_leading_4`: H3's rule for the pentagons'
/// missing sequence.
fn adjust_overage(face: &mut usize, ijk: &mut Ijk, res: usize, pentagon_leading_4: bool) -> bool {
	let unit_scale = seven_to((res / 2) as u32);
	let max_dim = unit_scale.saturating_mul(2);
	if ijk.i.saturating_add(ijk.j).saturating_add(ijk.k) <= max_dim {
		return false;
	}
	let quadrant = if ijk.k > 0 {
		if ijk.j > 0 {
			2 // JK
		} else {
			if pentagon_leading_4 {
				let origin = Ijk::new(max_dim, 0, 0);
				*ijk = ijk.sub(origin).rotate_cw().add(origin);
			}
			1 // KI
		}
	} else {
		0 // IJ
	};
	let Some((next, translate, rotations)) =
		tables::NEIGHBOURS.get(*face).and_then(|n| n.get(quadrant)).copied()
	else {
		return false;
	};
	*face = usize::from(next);
	for _ in 0..rotations {
		*ijk = ijk.rotate_ccw();
	}
	*ijk = ijk.add(translate.scale(unit_scale)).normalize();
	true
}

/// The face and IJK coordinates of `cell`'s centre, as H3 defines them.
fn face_ijk(cell: CellIndex) -> (usize, Ijk, usize) {
	let (mut digits, res) = digits(cell);
	let base = cell.base_cell();
	let pentagon = base.is_pentagon();
	let leading = |digits: &[u8; 15]| digits.iter().take(res).copied().find(|d| *d != 0);
	// A pentagon has no sub-sequence 5: H3 turns those cells 60° clockwise.
	if pentagon && leading(&digits) == Some(5) {
		for digit in digits.iter_mut().take(res) {
			*digit = digit_cw(*digit);
		}
	}
	let (home, start) = tables::BASE_CELLS
		.get(usize::from(u8::from(base)))
		.copied()
		.unwrap_or((0, Ijk::new(0, 0, 0)));
	let mut face = usize::from(home);
	let mut ijk = start;
	for (r, digit) in digits.iter().take(res).enumerate() {
		// Resolution r + 1: odd ones are Class III.
		ijk = if (r + 1) % 2 == 1 { ijk.down_ccw() } else { ijk.down_cw() };
		ijk = ijk.neighbour(*digit);
	}
	// Overage is checked on the Class II grid at or below the cell's resolution.
	let original = ijk;
	let class3 = res % 2 == 1;
	let class2_res = if class3 {
		ijk = ijk.down_cw();
		res + 1
	} else {
		res
	};
	let leading_4 = pentagon && leading(&digits) == Some(4);
	if adjust_overage(&mut face, &mut ijk, class2_res, leading_4) {
		if pentagon {
			// Secondary overages, at most a few.
			for _ in 0..4 {
				if !adjust_overage(&mut face, &mut ijk, class2_res, false) {
					break;
				}
			}
		}
		if class3 {
			ijk = ijk.up_cw();
		}
	} else {
		ijk = original;
	}
	(face, ijk, res)
}

/// The centre of `cell` as a unit vector, Q60.
pub fn centre(cell: CellIndex) -> [i128; 3] {
	let (face, ijk, res) = face_ijk(cell);
	let Face { centre, u, v } = tables::FACES.get(face).copied().unwrap_or(tables::FACES[0]);
	let (i, j) = (ijk.i.saturating_sub(ijk.k), ijk.j.saturating_sub(ijk.k));
	// The hex coordinates (x, y) = ((2i − j)/2, √3·j/2) in resolution-`res` units, scaled
	// to resolution 0 by 1/√7 per step; a Class III resolution also turns them by
	// atan(√3/5): (x, y)/√7 turned is ((5i − 4j)/14, √3·(i + 2j)/14).
	let m = (res / 2) as u32;
	let (a, b, d) = if res % 2 == 1 {
		(
			i.saturating_mul(5).saturating_sub(j.saturating_mul(4)),
			i.saturating_add(j.saturating_mul(2)),
			seven_to(m).saturating_mul(14),
		)
	} else {
		(i.saturating_mul(2).saturating_sub(j), j, seven_to(m).saturating_mul(2))
	};
	let (a, b, d) = (i128::from(a), i128::from(b), i128::from(d));
	let mut p = [0i128; 3];
	for (n, p) in p.iter_mut().enumerate() {
		*p = i128::from(centre[n])
			.saturating_mul(d)
			.saturating_add(a.saturating_mul(i128::from(u[n])))
			.saturating_add(b.saturating_mul(i128::from(v[n])));
	}
	normalize(p)
}

/// `p` scaled to length 1, Q60.
fn normalize(p: [i128; 3]) -> [i128; 3] {
	// Bring the largest component to at most 2^62 so that the squares' sum fits.
	let largest = p.iter().map(|c| c.unsigned_abs()).max().unwrap_or(0);
	let shift = (128 - largest.leading_zeros()).saturating_sub(62);
	let p = p.map(|c| c >> shift);
	let squares = p.iter().fold(0u128, |sum, c| sum.saturating_add(c.unsigned_abs().pow(2)));
	let norm = i128::try_from(squares.isqrt()).unwrap_or(i128::MAX);
	p.map(|c| c.saturating_mul(ONE).checked_div(norm).unwrap_or(0))
}

/// `asin(x)` for `x` in [0, 1], both Q60.
fn asin(x: i128) -> i128 {
	let mut x = x.clamp(0, ONE);
	let mut halvings = 0u32;
	// asin(x) = 2·asin(x / √(2·(1 + √(1 − x²)))), until x is small.
	while x > SERIES_BELOW && halvings < 8 {
		let cos = isqrt_q60(ONE.saturating_sub(x.saturating_mul(x) >> Q));
		let denominator = isqrt_q60(ONE.saturating_add(cos).saturating_mul(2));
		x = x.saturating_mul(ONE).checked_div(denominator).unwrap_or(ONE);
		halvings += 1;
	}
	// x + x³/6 + 3x⁵/40 + 5x⁷/112 + 35x⁹/1152.
	let x2 = x.saturating_mul(x) >> Q;
	let mut power = x;
	let mut sum = x;
	for (numerator, denominator) in [(1, 6), (3, 40), (5, 112), (35, 1152)] {
		power = power.saturating_mul(x2) >> Q;
		sum = sum.saturating_add(power.saturating_mul(numerator) / denominator);
	}
	sum << halvings
}

/// `√v` for a non-negative Q60 `v`, Q60.
fn isqrt_q60(v: i128) -> i128 {
	let v = v.max(0).unsigned_abs().saturating_mul(1u128 << Q);
	i128::try_from(v.isqrt()).unwrap_or(i128::MAX)
}

/// The angle between two unit vectors, Q60 radians.
fn angle(a: [i128; 3], b: [i128; 3]) -> i128 {
	let chord_squared = a
		.iter()
		.zip(b.iter())
		.fold(0u128, |sum, (a, b)| sum.saturating_add(a.abs_diff(*b).pow(2)));
	let chord = i128::try_from(chord_squared.isqrt()).unwrap_or(i128::MAX);
	asin(chord / 2).saturating_mul(2)
}

/// Great-circle distance between the centres of `a` and `b`, micrometres (rounded half up).
fn distance_um(a: CellIndex, b: CellIndex) -> i128 {
	angle(centre(a), centre(b))
		.saturating_mul(EARTH_RADIUS_UM)
		.saturating_add(ONE / 2)
		>> Q
}

/// Great-circle distance between the centres of `a` and `b`, whole metres (rounded half
/// up), on H3's spherical Earth.
pub fn distance_m(a: CellIndex, b: CellIndex) -> u64 {
	let metres = distance_um(a, b).saturating_add(500_000) / 1_000_000;
	u64::try_from(metres).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;
	use h3o::{LatLng, Resolution};
	use proptest::prelude::*;

	/// h3o's centre of `cell` as a unit vector.
	fn h3o_centre(cell: CellIndex) -> [f64; 3] {
		let ll = LatLng::from(cell);
		let (lat, lng) = (ll.lat_radians(), ll.lng_radians());
		[lng.cos() * lat.cos(), lng.sin() * lat.cos(), lat.sin()]
	}

	fn assert_same_centre(cell: CellIndex) {
		let ours = centre(cell).map(|c| c as f64 / ONE as f64);
		let theirs = h3o_centre(cell);
		for n in 0..3 {
			// 1e-12 of the Earth's radius is 6 µm.
			assert!((ours[n] - theirs[n]).abs() < 1e-12, "{cell}: {ours:?} vs {theirs:?}");
		}
	}

	fn h3o_distance_m(a: CellIndex, b: CellIndex) -> f64 {
		LatLng::from(a).distance_m(LatLng::from(b))
	}

	#[test]
	fn every_base_cell_and_its_children_have_h3s_centre() {
		for base in CellIndex::base_cells() {
			assert_same_centre(base);
			for res in [Resolution::One, Resolution::Two, Resolution::Five, Resolution::Twelve] {
				for child in base.children(Resolution::One) {
					assert_same_centre(child.center_child(res).unwrap());
				}
			}
		}
	}

	#[test]
	fn cells_around_every_pentagon_have_h3s_centre() {
		// Pentagons sit on face corners: the overage rules and the missing sub-sequence.
		for res in [Resolution::Three, Resolution::Eleven, Resolution::Twelve] {
			for pentagon in res.pentagons() {
				for cell in pentagon.grid_disk::<Vec<_>>(6) {
					assert_same_centre(cell);
				}
			}
		}
	}

	#[test]
	fn pairs_across_a_face_edge_are_measured_like_h3() {
		// Cells ~2 km apart east to west whose centres lie on different icosahedron faces
		// (each projected on its own face), where H3's grid distance may fail.
		let mut found = 0;
		for lat in [60.0, 26.0, 10.0, -30.0] {
			for step in 0..36_000 {
				let lng = f64::from(step) / 100.0 - 180.0;
				let a = LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve);
				let b = LatLng::new(lat, lng + 2.0 / (111.2 * lat.to_radians().cos()))
					.unwrap()
					.to_cell(Resolution::Twelve);
				if face_ijk(a).0 != face_ijk(b).0 {
					found += 1;
					assert_same_centre(a);
					assert_same_centre(b);
					let ours = distance_um(a, b) as f64 / 1e6;
					assert!((ours - h3o_distance_m(a, b)).abs() < 1e-3, "{a} {b}");
					assert!((1_950.0..2_050.0).contains(&ours), "{ours}");
				}
			}
		}
		assert!(found >= 4, "only {found} pairs across a face edge");
	}

	#[test]
	fn known_distances() {
		let cell = |lat, lng| LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve);
		let lisbon = cell(38.7223, -9.1393);
		assert_eq!(distance_m(lisbon, lisbon), 0);
		let porto = cell(41.1579, -8.6291);
		assert_eq!(distance_m(lisbon, porto), h3o_distance_m(lisbon, porto).round() as u64);
		// Nearly antipodal: the halvings of the arcsine.
		let far = cell(-38.7, 170.86);
		assert!((distance_m(lisbon, far) as f64 - h3o_distance_m(lisbon, far)).abs() <= 1.0);
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(2000))]

		#[test]
		fn centres_are_h3s(lat in -90.0f64..90.0, lng in -180.0f64..180.0, res in 0u8..=15) {
			let cell = LatLng::new(lat, lng).unwrap().to_cell(Resolution::try_from(res).unwrap());
			assert_same_centre(cell);
		}

		#[test]
		fn distances_are_h3s_to_a_millimetre(
			lat in -89.0f64..89.0,
			lng in -180.0f64..180.0,
			bearing in 0.0f64..core::f64::consts::TAU,
			km in 0.0f64..150.0,
		) {
			let a = LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve);
			let dlat = km / 111.2 * bearing.cos();
			let dlng = km / 111.2 * bearing.sin() / lat.to_radians().cos().max(0.05);
			let lng_b = (lng + dlng + 540.0).rem_euclid(360.0) - 180.0;
			let b = LatLng::new((lat + dlat).clamp(-89.9, 89.9), lng_b).unwrap().to_cell(Resolution::Twelve);
			let theirs = h3o_distance_m(a, b);
			let ours = distance_um(a, b) as f64 / 1e6;
			prop_assert!((ours - theirs).abs() < 1e-3, "{a} {b}: {ours} vs {theirs}");
			// Whole metres, rounded half up.
			prop_assert_eq!(distance_m(a, b), ((distance_um(a, b) + 500_000) / 1_000_000) as u64);
		}
	}
}
