//! The simulator's state machine and faults, command by command.

use bytes::BytesMut;

use super::*;
use crate::idcard::frame::FrameDecoder;
use crate::idcard::sim::card_file::load_sample;

fn control() -> SimControl {
    let card = load_sample("resident-zhang-san").unwrap();
    SimControl::new(Some(card), 115_200)
}

fn ask(sim: &SimControl, command: Command) -> Response {
    let bytes = command.encode();
    let mut buf = BytesMut::from(&bytes[..]);
    let frame = FrameDecoder::new().decode(&mut buf).unwrap().unwrap();
    let reply = sim.answer(Ok(frame));
    let mut buf = BytesMut::from(&reply.bytes[..]);
    let frame = FrameDecoder::new().decode(&mut buf).unwrap().unwrap();
    Response::from_frame(&command, &frame).unwrap()
}

#[test]
fn find_select_read_serves_the_card_then_find_is_sticky_until_lifted() {
    let sim = control();
    assert_eq!(ask(&sim, Command::SamStatus).sw3, Sw3::Success);
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::FindSuccess);
    assert_eq!(ask(&sim, Command::SelectCard).sw3, Sw3::Success);
    let read = ask(&sim, Command::ReadBase);
    assert_eq!(read.sw3, Sw3::Success);
    assert_eq!(read.data.len(), 1288 - 4);
    let card =
        crate::idcard::layout::decode(&BaseMessage::parse(&read.data, false).unwrap().text, &[])
            .unwrap();
    assert_eq!(card.name, "张三");
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::FindFailed);
    assert_eq!(ask(&sim, Command::ReadAppendedAddress).sw3, Sw3::NoContent);
    sim.remove_card();
    assert_eq!(ask(&sim, Command::ReadAppendedAddress).sw3, Sw3::ReadFailed);
    sim.place_card(None);
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::FindSuccess);
}

#[test]
fn select_without_find_fails_and_read_without_select_fails() {
    let sim = control();
    assert_eq!(ask(&sim, Command::SelectCard).sw3, Sw3::SelectFailed);
    assert_eq!(ask(&sim, Command::ReadBase).sw3, Sw3::ReadFailed);
}

#[test]
fn a_command_with_a_bad_checksum_gets_sw3_0x10() {
    let sim = control();
    let mut bytes = Command::FindCard.encode();
    bytes[9] ^= 0xFF;
    let mut buf = BytesMut::from(&bytes[..]);
    let frame = FrameDecoder::new().decode(&mut buf);
    let reply = sim.answer(frame.map(|f| f.unwrap()));
    assert_eq!(
        reply.bytes,
        [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x10, 0x14]
    );
}

#[test]
fn unknown_commands_get_0x21() {
    let sim = control();
    let reply = sim.answer(Ok(RawFrame {
        body: vec![0x30, 0x02],
    }));
    assert_eq!(reply.bytes[9], 0x21);
}

#[test]
fn faults_change_the_answers() {
    let sim = control();
    sim.set_fault(Fault::NoCard, true);
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::FindFailed);
    sim.set_fault(Fault::NoCard, false);

    sim.set_fault(Fault::SamNotAuthorised, true);
    assert_eq!(ask(&sim, Command::SamStatus).sw3, Sw3::NotAuthorised);
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::NotAuthorised);
    sim.set_fault(Fault::SamNotAuthorised, false);

    sim.set_fault(Fault::RemovedMidRead, true);
    ask(&sim, Command::FindCard);
    ask(&sim, Command::SelectCard);
    assert_eq!(ask(&sim, Command::ReadBase).sw3, Sw3::ReadFailed);
    assert_eq!(ask(&sim, Command::FindCard).sw3, Sw3::FindFailed);
}

#[test]
fn wire_faults_garble_delay_or_drop_the_answer() {
    let sim = control();
    let frame = || RawFrame {
        body: vec![0x11, 0xFF],
    };
    sim.set_fault(Fault::BadChecksum, true);
    let mut buf = BytesMut::from(&sim.answer(Ok(frame())).bytes[..]);
    assert!(matches!(
        FrameDecoder::new().decode(&mut buf),
        Err(IdCardError::Checksum { .. })
    ));
    sim.set_fault(Fault::BadChecksum, false);

    sim.set_fault(Fault::Garbage, true);
    let reply = sim.answer(Ok(frame()));
    let mut buf = BytesMut::from(&reply.bytes[..]);
    let mut dec = FrameDecoder::new();
    assert_eq!(
        dec.decode(&mut buf).unwrap().unwrap().body,
        vec![0, 0, 0x90]
    );
    assert!(dec.skipped() > 0);
    sim.set_fault(Fault::Garbage, false);

    sim.set_fault(Fault::SlowSam, true);
    sim.set_slow_delay(Duration::from_millis(700));
    assert_eq!(sim.answer(Ok(frame())).delay, Duration::from_millis(700));
    sim.set_fault(Fault::Silence, true);
    assert!(sim.answer(Ok(frame())).bytes.is_empty());
}

#[test]
fn set_baud_answers_then_switches() {
    let sim = control();
    let reply = sim.answer(Ok(RawFrame {
        body: vec![0x60, 0x04],
    }));
    assert_eq!(reply.then_baud, Some(9_600));
    assert_eq!(reply.bytes[9], 0x90);
    assert_eq!(sim.baud(), 9_600);
}

#[test]
fn fault_names_round_trip() {
    for fault in Fault::ALL {
        assert_eq!(Fault::from_name(fault.name()), Some(fault));
    }
    assert_eq!(Fault::from_name("melted"), None);
}
