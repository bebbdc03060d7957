//! Checks for `do_try_state`: every stored value decodes.
//!
//! A `ValueQuery` item whose bounded vector no longer decodes (a runtime upgrade lowered
//! the bound without a migration) reads back as its default, silently: a queue would
//! look empty and the work in it would be lost. These checks make that an invariant
//! violation instead.

use codec::{FullCodec, FullEncode};
use polkadot_sdk::{
	frame_support::storage::{IterableStorageMap, StorageValue},
	sp_runtime::DispatchError,
};

/// A value that is stored decodes; `what` names it in the error.
pub fn value_decodes<T: FullCodec, S: StorageValue<T>>(
	what: &'static str,
) -> Result<(), DispatchError> {
	if S::exists() && S::try_get().is_err() {
		return Err(DispatchError::Other(what));
	}
	Ok(())
}

/// Every entry of a map decodes (iteration skips entries that do not, so the counts of
/// keys and of decoded entries differ); `what` names it in the error.
pub fn map_decodes<K: FullEncode + FullCodec, V: FullCodec, M: IterableStorageMap<K, V>>(
	what: &'static str,
) -> Result<(), DispatchError> {
	if M::iter_keys().count() != M::iter().count() {
		return Err(DispatchError::Other(what));
	}
	Ok(())
}
