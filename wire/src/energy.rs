//! Energy meters: the payload of a reading, signed through the nonce-report envelope
//! ([`crate::devices::report`]).

use crate::tags;
use alloc::vec::Vec;
use codec::Encode;

/// A meter reading's payload: `("assay/energy-reading", meter, slot_boundary,
/// import_register_wh, export_register_wh)` (u32, u64, u64).
pub fn reading_payload<AccountId: Encode>(
	meter: &AccountId,
	slot_boundary: u32,
	import_register_wh: u64,
	export_register_wh: u64,
) -> Vec<u8> {
	(tags::ENERGY_READING, meter, slot_boundary, import_register_wh, export_register_wh).encode()
}
