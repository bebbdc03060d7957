//! H3 cell checks, storage-free: a location must be a valid H3 cell index at resolution 12
//! (about 300 m², small enough to place a hotspot, coarse enough not to pinpoint a home).

use h3o::{CellIndex, Resolution};

/// The resolution a device's asserted cell must have.
pub const LOCATION_RESOLUTION: Resolution = Resolution::Twelve;

/// Why a cell was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CellRejection {
	/// Not an H3 cell index (bad mode, base cell, digits or reserved bits).
	Invalid,
	/// A valid cell, at another resolution.
	WrongResolution,
}

/// Checks that `cell` is a valid H3 cell index at resolution 12.
pub fn check_location_cell(cell: u64) -> Result<CellIndex, CellRejection> {
	let index = CellIndex::try_from(cell).map_err(|_| CellRejection::Invalid)?;
	if index.resolution() != LOCATION_RESOLUTION {
		return Err(CellRejection::WrongResolution);
	}
	Ok(index)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	/// A res-12 cell in Lisbon (0x8c393362…), taken from h3o's own conversion.
	fn lisbon_res12() -> u64 {
		let ll = h3o::LatLng::new(38.7223, -9.1393).unwrap();
		u64::from(ll.to_cell(Resolution::Twelve))
	}

	#[test]
	fn accepts_a_res12_cell() {
		assert!(check_location_cell(lisbon_res12()).is_ok());
	}

	#[test]
	fn refuses_other_resolutions_and_garbage() {
		let ll = h3o::LatLng::new(38.7223, -9.1393).unwrap();
		assert_eq!(
			check_location_cell(u64::from(ll.to_cell(Resolution::Eleven))),
			Err(CellRejection::WrongResolution)
		);
		assert_eq!(check_location_cell(0), Err(CellRejection::Invalid));
		assert_eq!(check_location_cell(u64::MAX), Err(CellRejection::Invalid));
	}

	proptest! {
		#[test]
		fn every_res12_cell_is_accepted(lat in -89.0f64..89.0, lng in -179.0f64..179.0) {
			let cell = h3o::LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve);
			prop_assert!(check_location_cell(u64::from(cell)).is_ok());
		}

		#[test]
		fn the_parents_of_res12_cells_are_refused(lat in -89.0f64..89.0, lng in -179.0f64..179.0, res in 0u8..12) {
			let cell = h3o::LatLng::new(lat, lng).unwrap().to_cell(Resolution::try_from(res).unwrap());
			prop_assert_eq!(check_location_cell(u64::from(cell)), Err(CellRejection::WrongResolution));
		}

		#[test]
		fn random_bits_never_panic(bits in any::<u64>()) {
			let _ = check_location_cell(bits);
		}
	}
}
