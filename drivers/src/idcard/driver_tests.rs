//! The command sequence against the simulator's state machine, in process: a link that hands
//! each command to the simulator and queues its answer.

use std::collections::VecDeque;

use crate::link::Link;

use super::*;
use crate::idcard::sim::{load_sample, Fault, SimControl};

struct SimLink {
    sim: SimControl,
    decoder: FrameDecoder,
    pending: BytesMut,
    out: VecDeque<u8>,
}

impl Link for SimLink {
    type Error = IdCardError;

    fn write_all(&mut self, bytes: &[u8], _timeout: Duration) -> Result<(), IdCardError> {
        self.pending.extend_from_slice(bytes);
        loop {
            let frame = match self.decoder.decode(&mut self.pending) {
                Ok(Some(f)) => Ok(f),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let reply = self.sim.answer(frame);
            self.out.extend(reply.bytes);
        }
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, IdCardError> {
        if self.out.is_empty() {
            std::thread::sleep(timeout.min(Duration::from_millis(5)));
            return Ok(0);
        }
        let n = buf.len().min(self.out.len()).min(100);
        for b in buf.iter_mut().take(n) {
            *b = self.out.pop_front().unwrap_or(0);
        }
        Ok(n)
    }
    fn discard_input(&mut self) -> Result<(), IdCardError> {
        self.out.clear();
        Ok(())
    }
    fn describe(&self) -> String {
        "in-process simulator".into()
    }
}

impl Transport for SimLink {
    fn set_baud(&mut self, _baud: u32) -> Result<(), IdCardError> {
        Ok(())
    }
}

fn reader(sim: &SimControl) -> Reader<SimLink> {
    let mut r = Reader::new(
        SimLink {
            sim: sim.clone(),
            decoder: FrameDecoder::new(),
            pending: BytesMut::new(),
            out: VecDeque::new(),
        },
        115_200,
    );
    r.probe_timeout = Duration::from_millis(50);
    r
}

fn sim() -> SimControl {
    SimControl::new(Some(load_sample("zhang-san").unwrap()), 115_200)
}

#[test]
fn reads_a_card_and_sees_it_leave() {
    let sim = sim();
    let mut r = reader(&sim);
    r.check_sam().unwrap();
    assert_eq!(
        r.sam_id().unwrap().to_string(),
        "05.01-20101216-0017215573-2147512114"
    );
    assert!(r.find().unwrap());
    let card = r.select_and_read(false).unwrap();
    assert_eq!(card.id_number, "11010519491231002X");
    assert!(r.card_still_present().unwrap());
    sim.remove_card();
    assert!(!r.card_still_present().unwrap());
    assert!(!r.find().unwrap());
}

#[test]
fn reads_with_fingerprint_command() {
    let sim = sim();
    let mut r = reader(&sim);
    assert!(r.find().unwrap());
    r.select().unwrap();
    assert_eq!(r.read_base(true).unwrap().name, "张三");
}

#[test]
fn an_unauthorised_sam_is_a_device_error() {
    let sim = sim();
    sim.set_fault(Fault::SamNotAuthorised, true);
    let err = reader(&sim).check_sam().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Fault);
    assert_eq!(err.code(), "samNotAuthorised");
}

#[test]
fn bad_checksums_are_retried_then_reported() {
    let sim = sim();
    sim.set_fault(Fault::BadChecksum, true);
    let mut r = reader(&sim);
    let err = r.check_sam().unwrap_err();
    assert_eq!(err.code(), "checksum");
    assert_eq!(r.stats().checksum_errors, 2, "one try and one retry");
}

#[test]
fn silence_times_out() {
    let sim = sim();
    sim.set_fault(Fault::Silence, true);
    let mut r = reader(&sim);
    r.retries = 0;
    let err = r
        .transact_within(Command::FindCard, Duration::from_millis(30))
        .unwrap_err();
    assert_eq!(err.code(), "timeout");
    assert!(r.detect_baud(None).is_err());
}

#[test]
fn garbage_is_skipped_and_counted() {
    let sim = sim();
    sim.set_fault(Fault::Garbage, true);
    let mut r = reader(&sim);
    assert!(r.find().unwrap());
    assert!(r.stats().garbage_bytes > 0);
}

#[test]
fn an_answer_of_the_wrong_shape_is_malformed() {
    let ok = Response::new(Sw3::Success, vec![]);
    assert!(check_shape(&Command::FindCard, ok.clone()).is_err());
    assert!(check_shape(&Command::SamStatus, ok).is_ok());
    assert!(check_shape(
        &Command::SelectCard,
        Response::new(Sw3::Success, vec![0; 4])
    )
    .is_err());
}

#[test]
fn reads_the_appended_address_when_there_is_one() {
    let li = SimControl::new(Some(load_sample("li-xiuying").unwrap()), 115_200);
    let mut r = reader(&li);
    assert!(r.find().unwrap());
    r.select_and_read(false).unwrap();
    assert_eq!(
        r.read_appended_address().unwrap().as_deref(),
        Some("浙江省杭州市淳安县示例街道8号")
    );
    let sim = sim();
    let mut r = reader(&sim);
    assert!(r.find().unwrap());
    r.select_and_read(false).unwrap();
    assert_eq!(r.read_appended_address().unwrap(), None);
}

#[test]
fn debug_output_of_answers_and_reader_has_no_card_data() {
    let sim = sim();
    let mut r = reader(&sim);
    assert!(r.find().unwrap());
    r.select().unwrap();
    let response = r.execute(Command::ReadBase).unwrap();
    let debug = format!("{response:?} {r:?}");
    assert!(debug.contains("<1284 bytes>"), "{debug}");
    // 张 is 0x5F20: its bytes would show as 32, 95 in a byte list.
    assert!(!debug.contains("95"), "{debug}");
}
