//! The payload a meter signs for a reading: a pure function, so clients and tests build
//! the exact same bytes. The device signs it through the device registry's one report
//! mechanism: `("assay/report", genesis_hash, nonce, payload)`.

use alloc::vec::Vec;
use codec::Encode;

/// Domain tag of a meter reading's payload.
pub const READING_TAG: &[u8] = b"assay/energy-reading";

/// `("assay/energy-reading", meter, slot_boundary, import_register_wh, export_register_wh)`.
pub fn reading_payload<AccountId: Encode>(
	meter: &AccountId,
	slot_boundary: u32,
	import_register_wh: u64,
	export_register_wh: u64,
) -> Vec<u8> {
	(READING_TAG, meter, slot_boundary, import_register_wh, export_register_wh).encode()
}
