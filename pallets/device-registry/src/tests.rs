use crate::{mock::*, DeniedEdges, Devices, DevicesByOwner, Error, Event, Makers, Reports};
use assay_primitives::{DeviceKind, DeviceRegistry as _, DeviceStatus, ReportRejection};
use assay_wire::devices;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		traits::{fungible::InspectHold, Authorize},
		BoundedVec,
	},
	frame_system::RawOrigin,
	sp_core::H256,
	sp_runtime::{DispatchError, MultiSignature},
};

const MAKER: u32 = 7;

fn maker_key() -> DeviceKey {
	DeviceKey::sr("Maker")
}

fn add_maker() {
	assert_ok!(DeviceRegistry::add_maker(
		RuntimeOrigin::root(),
		MAKER,
		BoundedVec::try_from(b"Acme Radios".to_vec()).unwrap(),
		maker_key().signer(),
	));
}

fn genesis() -> H256 {
	crate::Pallet::<Test>::genesis_hash()
}

fn attest(device: &DeviceKey, kind: DeviceKind) -> MultiSignature {
	maker_key().sign(&devices::maker_attestation(&device.id(), kind))
}

/// The device's consent to its next registration.
fn consent(device: &DeviceKey, owner: &AccountId, kind: DeviceKind) -> MultiSignature {
	let registrations = crate::Registrations::<Test>::get(device.id());
	device.sign(&devices::registration(&genesis(), owner, kind, registrations))
}

fn register(
	owner: &AccountId,
	device: &DeviceKey,
	kind: DeviceKind,
) -> polkadot_sdk::sp_runtime::DispatchResult {
	register_with_consent(owner, device, kind, consent(device, owner, kind))
}

/// Registers `device` with the test maker's attestation and the given device consent.
fn register_with_consent(
	owner: &AccountId,
	device: &DeviceKey,
	kind: DeviceKind,
	consent: MultiSignature,
) -> polkadot_sdk::sp_runtime::DispatchResult {
	DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner.clone()),
		device.signer(),
		kind,
		MAKER,
		attest(device, kind),
		consent,
	)
}

/// A valid resolution-12 cell (central Lisbon) and its resolution-11 parent.
fn cells() -> (u64, u64) {
	let ll = h3o::LatLng::new(38.7223, -9.1393).unwrap();
	(u64::from(ll.to_cell(h3o::Resolution::Twelve)), u64::from(ll.to_cell(h3o::Resolution::Eleven)))
}

fn held(who: &AccountId) -> u64 {
	Balances::balance_on_hold(
		&RuntimeHoldReason::DeviceRegistry(crate::HoldReason::DeviceDeposit),
		who,
	)
}

fn registered_hotspot() -> DeviceKey {
	add_maker();
	let device = DeviceKey::sr("Hotspot1");
	assert_ok!(register(&alice(), &device, DeviceKind::Hotspot));
	device
}

// ---- makers ---------------------------------------------------------------------------

#[test]
fn makers_are_added_and_removed_by_the_admin() {
	new_test_ext().execute_with(|| {
		add_maker();
		System::assert_last_event(Event::MakerAdded { maker: MAKER }.into());
		assert!(Makers::<Test>::contains_key(MAKER));
		assert_noop!(
			DeviceRegistry::add_maker(
				RuntimeOrigin::root(),
				MAKER,
				BoundedVec::default(),
				maker_key().signer()
			),
			Error::<Test>::MakerExists
		);
		assert_noop!(
			DeviceRegistry::add_maker(
				RuntimeOrigin::signed(alice()),
				8,
				BoundedVec::default(),
				maker_key().signer()
			),
			DispatchError::BadOrigin
		);
		assert_ok!(DeviceRegistry::remove_maker(RuntimeOrigin::root(), MAKER));
		System::assert_last_event(Event::MakerRemoved { maker: MAKER }.into());
		assert_noop!(
			DeviceRegistry::remove_maker(RuntimeOrigin::root(), MAKER),
			Error::<Test>::UnknownMaker
		);
		assert_noop!(
			DeviceRegistry::remove_maker(RuntimeOrigin::signed(alice()), MAKER),
			DispatchError::BadOrigin
		);
	});
}

// ---- registration ---------------------------------------------------------------------

#[test]
fn devices_of_every_key_scheme_register_with_a_deposit() {
	new_test_ext().execute_with(|| {
		add_maker();
		let deposit = crate::Pallet::<Test>::device_deposit();
		assert!(deposit > 100, "the deposit grows with the stored bytes");
		for (i, device) in [DeviceKey::sr("D1"), DeviceKey::ed("D2"), DeviceKey::ec("D3")]
			.iter()
			.enumerate()
		{
			assert_ok!(register(&alice(), device, DeviceKind::Sensor));
			System::assert_last_event(
				Event::DeviceRegistered {
					device: device.id(),
					owner: alice(),
					kind: DeviceKind::Sensor,
					maker: MAKER,
					deposit,
				}
				.into(),
			);
			let info = Devices::<Test>::get(device.id()).unwrap();
			assert_eq!(info.owner, alice());
			assert_eq!(info.status, DeviceStatus::Active);
			assert_eq!(info.registered_at, 1);
			assert_eq!(held(&alice()), deposit * (i as u64 + 1));
		}
		assert_eq!(crate::Pallet::<Test>::devices_of(&alice()).len(), 3);
		crate::Pallet::<Test>::do_try_state().unwrap();
	});
}

#[test]
fn registration_needs_the_devices_own_signature() {
	new_test_ext().execute_with(|| {
		add_maker();
		let device = DeviceKey::sr("D1");
		let impostor = DeviceKey::sr("Impostor");
		let kind = DeviceKind::Hotspot;
		// Signed by another key.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(alice()),
				device.signer(),
				kind,
				MAKER,
				attest(&device, kind),
				consent(&impostor, &alice(), kind),
			),
			Error::<Test>::BadDeviceSignature
		);
		// Alice's consent replayed by Bob.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(bob()),
				device.signer(),
				kind,
				MAKER,
				attest(&device, kind),
				consent(&device, &alice(), kind),
			),
			Error::<Test>::BadDeviceSignature
		);
		// A consent made for another chain.
		let other_chain =
			device.sign(&devices::registration(&H256::repeat_byte(1), &alice(), kind, 0));
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(alice()),
				device.signer(),
				kind,
				MAKER,
				attest(&device, kind),
				other_chain,
			),
			Error::<Test>::BadDeviceSignature
		);
		// A consent for another kind.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(alice()),
				device.signer(),
				kind,
				MAKER,
				attest(&device, kind),
				consent(&device, &alice(), DeviceKind::Drone),
			),
			Error::<Test>::BadDeviceSignature
		);
	});
}

#[test]
fn registration_needs_a_known_makers_attestation() {
	new_test_ext().execute_with(|| {
		let device = DeviceKey::sr("D1");
		let kind = DeviceKind::EnergyMeter;
		assert_noop!(register(&alice(), &device, kind), Error::<Test>::UnknownMaker);
		add_maker();
		// Attested by someone else.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(alice()),
				device.signer(),
				kind,
				MAKER,
				DeviceKey::sr("NotTheMaker").sign(&devices::maker_attestation(&device.id(), kind)),
				consent(&device, &alice(), kind),
			),
			Error::<Test>::BadMakerSignature
		);
		// Attested as another kind.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(alice()),
				device.signer(),
				kind,
				MAKER,
				attest(&device, DeviceKind::Hotspot),
				consent(&device, &alice(), kind),
			),
			Error::<Test>::BadMakerSignature
		);
		// A removed maker attests nothing.
		assert_ok!(DeviceRegistry::remove_maker(RuntimeOrigin::root(), MAKER));
		assert_noop!(register(&alice(), &device, kind), Error::<Test>::UnknownMaker);
	});
}

#[test]
fn a_device_registers_once_and_the_owner_must_afford_the_deposit() {
	new_test_ext().execute_with(|| {
		add_maker();
		let device = DeviceKey::sr("D1");
		assert_ok!(register(&alice(), &device, DeviceKind::Drone));
		assert_noop!(register(&alice(), &device, DeviceKind::Drone), Error::<Test>::DeviceExists);
		assert_noop!(register(&bob(), &device, DeviceKind::Drone), Error::<Test>::DeviceExists);
		assert_noop!(
			register(&pauper(), &DeviceKey::sr("D2"), DeviceKind::Drone),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn register_then_deregister_returns_the_deposit() {
	new_test_ext().execute_with(|| {
		add_maker();
		let before = Balances::free_balance(alice());
		let device = DeviceKey::ed("D1");
		assert_ok!(register(&alice(), &device, DeviceKind::EvCharger));
		assert!(Balances::free_balance(alice()) < before);
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()));
		System::assert_last_event(
			Event::DeviceDeregistered {
				device: device.id(),
				owner: alice(),
				deposit: crate::Pallet::<Test>::device_deposit(),
			}
			.into(),
		);
		assert_eq!(Balances::free_balance(alice()), before);
		assert_eq!(held(&alice()), 0);
		assert!(!Devices::<Test>::contains_key(device.id()));
		assert!(!DevicesByOwner::<Test>::contains_key(alice(), device.id()));
	});
}

// ---- locations ------------------------------------------------------------------------

#[test]
fn asserting_a_location_charges_the_fee_and_tells_the_hook() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let (cell, _) = cells();
		let before = Balances::free_balance(alice());
		let issuance = Balances::total_issuance();
		assert_ok!(DeviceRegistry::assert_location(
			RuntimeOrigin::signed(alice()),
			device.id(),
			cell,
			81,
			12
		));
		System::assert_last_event(
			Event::LocationAsserted {
				device: device.id(),
				cell,
				gain_dbi_x10: 81,
				elevation_m: 12,
				fee: 50,
			}
			.into(),
		);
		assert_eq!(Balances::free_balance(alice()), before - 50);
		assert_eq!(Balances::total_issuance(), issuance - 50, "the fee is burned");
		let location = crate::Pallet::<Test>::location_of(&device.id()).unwrap();
		assert_eq!(
			(location.cell, location.gain_dbi_x10, location.elevation_m, location.asserted_at),
			(cell, 81, 12, 1)
		);
		MOVES.with(|m| assert_eq!(m.borrow().clone(), vec![(device.id(), None, cell)]));
	});
}

#[test]
fn locations_must_be_res12_h3_cells() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let (_, parent) = cells();
		assert_noop!(
			DeviceRegistry::assert_location(
				RuntimeOrigin::signed(alice()),
				device.id(),
				0x1234,
				0,
				0
			),
			Error::<Test>::InvalidCell
		);
		assert_noop!(
			DeviceRegistry::assert_location(
				RuntimeOrigin::signed(alice()),
				device.id(),
				parent,
				0,
				0
			),
			Error::<Test>::WrongCellResolution
		);
	});
}

#[test]
fn re_assertion_waits_for_the_cooldown() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let (cell, _) = cells();
		assert_ok!(DeviceRegistry::assert_location(
			RuntimeOrigin::signed(alice()),
			device.id(),
			cell,
			0,
			0
		));
		System::set_block_number(10);
		assert_noop!(
			DeviceRegistry::assert_location(
				RuntimeOrigin::signed(alice()),
				device.id(),
				cell,
				0,
				0
			),
			Error::<Test>::LocationCooldown
		);
		System::set_block_number(11);
		assert_ok!(DeviceRegistry::assert_location(
			RuntimeOrigin::signed(alice()),
			device.id(),
			cell,
			5,
			0
		));
		MOVES.with(|m| {
			assert_eq!(m.borrow().last().cloned(), Some((device.id(), Some(cell), cell)))
		});
	});
}

#[test]
fn only_the_owner_asserts_transfers_and_deregisters() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let (cell, _) = cells();
		assert_noop!(
			DeviceRegistry::assert_location(RuntimeOrigin::signed(bob()), device.id(), cell, 0, 0),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(bob()), device.id(), bob()),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(bob()), device.id()),
			Error::<Test>::NotOwner
		);
		let unknown = DeviceKey::sr("Nobody").id();
		assert_noop!(
			DeviceRegistry::assert_location(
				RuntimeOrigin::signed(alice()),
				unknown.clone(),
				cell,
				0,
				0
			),
			Error::<Test>::UnknownDevice
		);
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), unknown),
			Error::<Test>::UnknownDevice
		);
	});
}

// ---- transfer, status, edges ----------------------------------------------------------

/// Item 17. Before: `transfer_device` held the deposit from the recipient at once, who
/// never agreed. Now the owner offers, the recipient accepts, and only then does anything
/// move.
#[test]
fn a_transfer_is_offered_then_accepted_and_the_deposit_moves_on_acceptance() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let deposit = crate::Pallet::<Test>::device_deposit();
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(alice()), device.id(), alice()),
			Error::<Test>::SameOwner
		);
		// The offer holds nothing from Bob and changes no owner.
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(alice()),
			device.id(),
			bob()
		));
		System::assert_last_event(
			Event::TransferOffered { device: device.id(), from: alice(), to: bob() }.into(),
		);
		assert_eq!(held(&bob()), 0);
		assert_eq!(held(&alice()), deposit);
		assert_eq!(crate::Pallet::<Test>::owner_of(&device.id()), Some(alice()));
		// Only Bob accepts; only Alice withdraws.
		assert_noop!(
			DeviceRegistry::accept_device(RuntimeOrigin::signed(pauper()), device.id()),
			Error::<Test>::NoTransferOffer
		);
		assert_noop!(
			DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(bob()), device.id()),
			Error::<Test>::NotOwner
		);
		// A new offer replaces the old one; one the recipient cannot cover fails on acceptance.
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(alice()),
			device.id(),
			pauper()
		));
		assert_noop!(
			DeviceRegistry::accept_device(RuntimeOrigin::signed(bob()), device.id()),
			Error::<Test>::NoTransferOffer
		);
		assert_noop!(
			DeviceRegistry::accept_device(RuntimeOrigin::signed(pauper()), device.id()),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(alice()), device.id()));
		System::assert_last_event(Event::TransferCancelled { device: device.id() }.into());
		assert_noop!(
			DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(alice()), device.id()),
			Error::<Test>::NoTransferOffer
		);
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(alice()),
			device.id(),
			bob()
		));
		assert_ok!(DeviceRegistry::accept_device(RuntimeOrigin::signed(bob()), device.id()));
		assert!(!crate::TransferOffers::<Test>::contains_key(device.id()));
		System::assert_last_event(
			Event::DeviceTransferred { device: device.id(), from: alice(), to: bob() }.into(),
		);
		assert_eq!(held(&alice()), 0);
		assert_eq!(held(&bob()), deposit);
		assert_eq!(crate::Pallet::<Test>::owner_of(&device.id()), Some(bob()));
		assert_eq!(crate::Pallet::<Test>::devices_of(&bob()), vec![device.id()]);
		assert!(crate::Pallet::<Test>::devices_of(&alice()).is_empty());
		crate::Pallet::<Test>::do_try_state().unwrap();
	});
}

#[test]
fn a_denied_device_can_do_nothing() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let (cell, _) = cells();
		assert_noop!(
			DeviceRegistry::set_device_status(
				RuntimeOrigin::signed(alice()),
				device.id(),
				DeviceStatus::Denied
			),
			DispatchError::BadOrigin
		);
		assert_ok!(DeviceRegistry::set_device_status(
			RuntimeOrigin::root(),
			device.id(),
			DeviceStatus::Denied
		));
		System::assert_last_event(
			Event::DeviceStatusChanged { device: device.id(), status: DeviceStatus::Denied }.into(),
		);
		assert_noop!(
			DeviceRegistry::assert_location(
				RuntimeOrigin::signed(alice()),
				device.id(),
				cell,
				0,
				0
			),
			Error::<Test>::DeviceDenied
		);
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(alice()), device.id(), bob()),
			Error::<Test>::DeviceDenied
		);
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()),
			Error::<Test>::DeviceDenied
		);
		assert_noop!(
			DeviceRegistry::set_device_status(
				RuntimeOrigin::root(),
				DeviceKey::sr("X").id(),
				DeviceStatus::Active
			),
			Error::<Test>::UnknownDevice
		);
	});
}

#[test]
fn edges_are_denied_and_allowed_in_either_order() {
	new_test_ext().execute_with(|| {
		let a = registered_hotspot();
		let b = DeviceKey::sr("Hotspot2");
		assert_ok!(register(&bob(), &b, DeviceKind::Hotspot));
		assert_noop!(
			DeviceRegistry::deny_edge(RuntimeOrigin::signed(alice()), a.id(), b.id()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::deny_edge(RuntimeOrigin::root(), a.id(), a.id()),
			Error::<Test>::SameDevice
		);
		assert_noop!(
			DeviceRegistry::deny_edge(RuntimeOrigin::root(), a.id(), DeviceKey::sr("X").id()),
			Error::<Test>::UnknownDevice
		);
		assert_ok!(DeviceRegistry::deny_edge(RuntimeOrigin::root(), b.id(), a.id()));
		System::assert_last_event(Event::EdgeDenied { a: b.id(), b: a.id() }.into());
		assert!(crate::Pallet::<Test>::is_edge_denied(&a.id(), &b.id()));
		assert!(crate::Pallet::<Test>::is_edge_denied(&b.id(), &a.id()));
		assert_eq!(DeniedEdges::<Test>::iter().count(), 1);
		assert_ok!(DeviceRegistry::allow_edge(RuntimeOrigin::root(), a.id(), b.id()));
		System::assert_last_event(Event::EdgeAllowed { a: a.id(), b: b.id() }.into());
		assert!(!crate::Pallet::<Test>::is_edge_denied(&a.id(), &b.id()));
		assert_noop!(
			DeviceRegistry::allow_edge(RuntimeOrigin::signed(bob()), a.id(), b.id()),
			DispatchError::BadOrigin
		);
	});
}

// ---- device-signed reports ------------------------------------------------------------

fn heartbeat_call(device: &DeviceKey, nonce: u64) -> crate::Call<Test> {
	let signature =
		device.sign(&devices::report(&genesis(), nonce, &devices::heartbeat_payload(&device.id())));
	crate::Call::heartbeat { device: device.id(), nonce, signature }
}

fn authorize(call: &crate::Call<Test>) -> Result<(), TransactionValidityError> {
	call.authorize(TransactionSource::External)
		.expect("heartbeat is authorizable")
		.map(|_| ())
}

fn dispatch_authorized(device: &DeviceKey, nonce: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
	let crate::Call::heartbeat { device: d, nonce: n, signature } = heartbeat_call(device, nonce)
	else {
		unreachable!()
	};
	DeviceRegistry::heartbeat(RawOrigin::Authorized.into(), d, n, signature)
}

fn custom(r: ReportRejection) -> TransactionValidityError {
	TransactionValidityError::Invalid(InvalidTransaction::Custom(r.code()))
}

#[test]
fn a_valid_heartbeat_is_authorized_and_recorded() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		assert_ok!(authorize(&heartbeat_call(&device, 0)));
		assert_ok!(dispatch_authorized(&device, 0));
		System::assert_last_event(Event::Heartbeat { device: device.id(), nonce: 0 }.into());
		let state = Reports::<Test>::get(device.id());
		assert_eq!((state.next_nonce, state.last_seen, state.in_block), (1, Some(1), 1));
		// Future nonces wait in the pool for their predecessor (they require its tag).
		assert_ok!(authorize(&heartbeat_call(&device, 2)));
	});
}

#[test]
fn reports_with_bad_signatures_are_refused() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let forged = crate::Call::<Test>::heartbeat {
			device: device.id(),
			nonce: 0,
			signature: DeviceKey::sr("Forger").sign(&devices::report(
				&genesis(),
				0,
				&devices::heartbeat_payload(&device.id()),
			)),
		};
		assert_eq!(authorize(&forged), Err(InvalidTransaction::BadProof.into()));
		// A signature over another nonce does not carry over.
		let crate::Call::heartbeat { signature, .. } = heartbeat_call(&device, 5) else {
			unreachable!()
		};
		let moved = crate::Call::<Test>::heartbeat { device: device.id(), nonce: 0, signature };
		assert_eq!(authorize(&moved), Err(InvalidTransaction::BadProof.into()));
	});
}

#[test]
fn reused_nonces_are_refused() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		assert_ok!(dispatch_authorized(&device, 0));
		assert_eq!(authorize(&heartbeat_call(&device, 0)), Err(InvalidTransaction::Stale.into()));
		assert_noop!(dispatch_authorized(&device, 0), Error::<Test>::BadNonce);
		assert_noop!(dispatch_authorized(&device, 3), Error::<Test>::BadNonce);
	});
}

/// Issue 15, item 22 (found by the `device_reports` fuzz target). Before: a report ahead of
/// the device's next nonce was authorized in a block as in the pool, so a block could
/// include it; its dispatch then failed with `BadNonce`, changed nothing, cost nothing,
/// and the same report could be included again.
#[test]
fn a_report_ahead_of_the_next_nonce_cannot_enter_a_block() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let ahead = heartbeat_call(&device, 1);
		// The pool keeps it until nonce 0 is in.
		assert_ok!(authorize(&ahead));
		let in_block = |call: &crate::Call<Test>| {
			call.authorize(TransactionSource::InBlock).expect("authorizable").map(|_| ())
		};
		assert_eq!(in_block(&ahead), Err(InvalidTransaction::Future.into()));
		assert_ok!(in_block(&heartbeat_call(&device, 0)));
		assert_ok!(dispatch_authorized(&device, 0));
		assert_ok!(in_block(&ahead));
	});
}

#[test]
fn unknown_and_inactive_devices_cannot_report() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let stranger = DeviceKey::sr("Stranger");
		assert_eq!(
			authorize(&heartbeat_call(&stranger, 0)),
			Err(custom(ReportRejection::UnknownDevice))
		);
		for status in [DeviceStatus::Suspended, DeviceStatus::Denied] {
			assert_ok!(DeviceRegistry::set_device_status(
				RuntimeOrigin::root(),
				device.id(),
				status
			));
			assert_eq!(
				authorize(&heartbeat_call(&device, 0)),
				Err(custom(ReportRejection::DeviceNotActive))
			);
		}
	});
}

#[test]
fn reports_over_the_rate_limit_are_refused() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		// At most 3 ahead in the pool.
		assert_ok!(authorize(&heartbeat_call(&device, 2)));
		assert_eq!(
			authorize(&heartbeat_call(&device, 3)),
			Err(custom(ReportRejection::RateLimited))
		);
		// At most 3 included per block.
		for nonce in 0..3 {
			assert_ok!(authorize(&heartbeat_call(&device, nonce)));
			assert_ok!(dispatch_authorized(&device, nonce));
		}
		assert_eq!(
			authorize(&heartbeat_call(&device, 3)),
			Err(custom(ReportRejection::RateLimited))
		);
		// Next block, the device may report again.
		System::set_block_number(2);
		assert_ok!(authorize(&heartbeat_call(&device, 3)));
	});
}

#[test]
fn heartbeats_need_the_authorized_origin() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let crate::Call::heartbeat { device: d, nonce, signature } = heartbeat_call(&device, 0)
		else {
			unreachable!()
		};
		assert_noop!(
			DeviceRegistry::heartbeat(
				RuntimeOrigin::signed(alice()),
				d.clone(),
				nonce,
				signature.clone()
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::heartbeat(RuntimeOrigin::none(), d, nonce, signature),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn unique_reports_need_an_active_device_and_its_signature_without_a_nonce() {
	use assay_primitives::DeviceReports;
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		let payload = b"a witness report's payload".to_vec();
		let signature = device.sign(&devices::unique_report(&genesis(), &payload));
		assert_eq!(
			DeviceRegistry::validate_unique_report(&device.id(), &payload, &signature),
			Ok(())
		);
		// Nothing is written: no nonce advances.
		assert_eq!(Reports::<Test>::get(device.id()).next_nonce, 0);
		// A nonce report's signature over the same payload is not a unique report's.
		let nonce_signature = device.sign(&devices::report(&genesis(), 0, &payload));
		assert_eq!(
			DeviceRegistry::validate_unique_report(&device.id(), &payload, &nonce_signature),
			Err(ReportRejection::BadSignature)
		);
		assert_eq!(
			DeviceRegistry::validate_unique_report(&device.id(), b"other", &signature),
			Err(ReportRejection::BadSignature)
		);
		let stranger = DeviceKey::sr("Stranger");
		let stranger_signature = stranger.sign(&devices::unique_report(&genesis(), &payload));
		assert_eq!(
			DeviceRegistry::validate_unique_report(&stranger.id(), &payload, &stranger_signature),
			Err(ReportRejection::UnknownDevice)
		);
		assert_ok!(DeviceRegistry::set_device_status(
			RuntimeOrigin::root(),
			device.id(),
			DeviceStatus::Suspended
		));
		assert_eq!(
			DeviceRegistry::validate_unique_report(&device.id(), &payload, &signature),
			Err(ReportRejection::DeviceNotActive)
		);
	});
}

#[test]
fn deregistering_a_located_device_tells_the_hook() {
	new_test_ext().execute_with(|| {
		add_maker();
		let device = DeviceKey::sr("H9");
		assert_ok!(register(&alice(), &device, DeviceKind::Hotspot));
		// Never located: nothing to tell.
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()));
		MOVES.with(|m| assert!(m.borrow().is_empty()));
		let device = DeviceKey::sr("H10");
		assert_ok!(register(&alice(), &device, DeviceKind::Hotspot));
		let (cell, _) = cells();
		assert_ok!(DeviceRegistry::assert_location(
			RuntimeOrigin::signed(alice()),
			device.id(),
			cell,
			30,
			5
		));
		let cell = Some(cell);
		MOVES.with(|m| m.borrow_mut().clear());
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()));
		MOVES.with(|m| assert_eq!(m.borrow().clone(), vec![(device.id(), cell, 0)]));
	});
}

/// Issue 15, item 18. Before: `try_state` did not compare what owners have on hold for
/// device deposits with their devices' deposits, so a deposit released or held outside the
/// registry went unnoticed. Now it does.
#[test]
fn try_state_checks_each_owners_held_deposits() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		crate::Pallet::<Test>::do_try_state().unwrap();
		let deposit = Devices::<Test>::get(device.id()).unwrap().deposit;
		// A deposit released behind the registry's back.
		use polkadot_sdk::frame_support::traits::{fungible::MutateHold, tokens::Precision};
		assert_ok!(<Balances as MutateHold<_>>::release(
			&crate::HoldReason::DeviceDeposit.into(),
			&alice(),
			deposit,
			Precision::Exact
		));
		assert!(crate::Pallet::<Test>::do_try_state().is_err());
	});
}

/// Issue 15, item 16 (suspension and nonce). Before: `batch_all([deregister, register])`
/// cleared a governance suspension (only Denied blocked deregistration), and deregistering
/// removed the device's report state, so heartbeats it signed earlier replayed against its
/// next owner. Now a Suspended device cannot leave, and the nonce survives.
#[test]
fn re_registration_clears_neither_a_suspension_nor_the_report_nonce() {
	new_test_ext().execute_with(|| {
		let device = registered_hotspot();
		assert_ok!(dispatch_authorized(&device, 0));
		let kept = heartbeat_call(&device, 0);
		assert_ok!(DeviceRegistry::set_device_status(
			RuntimeOrigin::root(),
			device.id(),
			DeviceStatus::Suspended
		));
		assert_noop!(
			DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()),
			Error::<Test>::DeviceSuspended
		);
		assert_ok!(DeviceRegistry::set_device_status(
			RuntimeOrigin::root(),
			device.id(),
			DeviceStatus::Active
		));
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), device.id()));
		assert_ok!(register(&bob(), &device, DeviceKind::Hotspot));
		// The heartbeat signed under Alice does not replay under Bob.
		assert_eq!(authorize(&kept), Err(InvalidTransaction::Stale.into()));
		assert_ok!(authorize(&heartbeat_call(&device, 1)));
	});
}

/// Issue 15, item 16 (consent). Before: a registration consent carried no count, so a
/// former owner who kept it re-registered the device the moment it was deregistered. Now
/// the consent names how many times the device was registered before (`Registrations`),
/// and each consent registers it once.
#[test]
fn a_kept_consent_cannot_register_the_device_again() {
	new_test_ext().execute_with(|| {
		add_maker();
		let device = DeviceKey::sr("Sold");
		let kind = DeviceKind::Hotspot;
		let kept = consent(&device, &alice(), kind);
		assert_ok!(register_with_consent(&alice(), &device, kind, kept.clone()));
		assert_eq!(crate::Registrations::<Test>::get(device.id()), 1);
		assert_ok!(DeviceRegistry::transfer_device(
			RuntimeOrigin::signed(alice()),
			device.id(),
			bob()
		));
		assert_ok!(DeviceRegistry::accept_device(RuntimeOrigin::signed(bob()), device.id()));
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(bob()), device.id()));
		// Alice replays the consent she kept.
		assert_noop!(
			register_with_consent(&alice(), &device, kind, kept),
			Error::<Test>::BadDeviceSignature
		);
		// The device's fresh consent (its second registration) works.
		assert_ok!(register(&bob(), &device, kind));
		assert_eq!(crate::Registrations::<Test>::get(device.id()), 2);
	});
}

/// Item 5. Before: reports had no share of the block of their own, so free heartbeats could
/// fill it to the normal limit. Now a report finds no room once the block's normal weight
/// reaches `ReportShare` (75 %) of the normal limit, and waits in the pool
/// (`ExhaustsResources`); the pool ranks every report below every fee-paying transaction.
#[test]
fn reports_stop_at_their_share_of_the_block_and_rank_below_paying_transactions() {
	new_test_ext().execute_with(|| {
		use polkadot_sdk::frame_support::{dispatch::DispatchClass, traits::Get};
		let device = registered_hotspot();
		let weights: polkadot_sdk::frame_system::limits::BlockWeights =
			<Test as polkadot_sdk::frame_system::Config>::BlockWeights::get();
		let normal = weights.get(DispatchClass::Normal).max_total.unwrap_or(weights.max_block);
		let share = |percent: u64| {
			polkadot_sdk::frame_support::weights::Weight::from_parts(
				normal.ref_time() / 100 * percent,
				normal.proof_size() / 100 * percent,
			)
		};
		System::register_extra_weight_unchecked(share(74), DispatchClass::Normal);
		let valid = heartbeat_call(&device, 0)
			.authorize(TransactionSource::External)
			.expect("authorizable")
			.expect("room for it");
		assert_eq!(valid.0.priority, 0, "reports rank below every fee-paying transaction");
		System::register_extra_weight_unchecked(share(1), DispatchClass::Normal);
		assert_eq!(
			authorize(&heartbeat_call(&device, 0)),
			Err(InvalidTransaction::ExhaustsResources.into())
		);
		// The next block has room again.
		System::reset_events();
		System::initialize(&2, &Default::default(), &Default::default());
		assert_ok!(authorize(&heartbeat_call(&device, 0)));
	});
}
