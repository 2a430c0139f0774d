//! Attachments on both backends: chunks appended in order, a second upload of the same
//! owner key told to reseal, completion, links from an application, reuse, result
//! documents and their copy limit.

use chrono::{Duration, SubsecRound, Utc};
use hall::store::attachments::{
    AttachmentStore, ChunkOutcome, NewChunk, NewLink, NewResultDocument,
};
use hall::store::{Store, Written};
use hall_api::attachment::DocumentKind;

fn chunk(id: &str, offset: u64, len: u64) -> NewChunk {
    NewChunk {
        new_id: id.into(),
        owner: "k1".into(),
        owner_key: [3; 32],
        sha_key: [4; 32],
        sha_sealed: vec![5; 8],
        kind: Some(DocumentKind::Pdf),
        total: 10,
        offset,
        len,
        sealed: vec![offset as u8; len as usize],
        at: Utc::now().trunc_subsecs(6),
    }
}

on_both!(uploads_link_reuse_and_print_within_the_limit, store => {
    assert!(matches!(store.append_chunk(chunk("f1", 4, 6)).await.unwrap(), ChunkOutcome::Mismatch(None)), "no first chunk yet");
    let ChunkOutcome::Stored(row) = store.append_chunk(chunk("f1", 0, 4)).await.unwrap() else { panic!("stored") };
    assert_eq!((row.received, row.complete), (4, false));
    assert_eq!(store.append_chunk(chunk("f2", 0, 4)).await.unwrap(), ChunkOutcome::Reseal("f1".into()));
    assert!(matches!(store.append_chunk(chunk("f1", 0, 4)).await.unwrap(), ChunkOutcome::Mismatch(Some(_))), "a repeated offset");
    assert!(matches!(store.append_chunk(chunk("f1", 4, 6)).await.unwrap(), ChunkOutcome::Stored(r) if r.received == 10));
    let now = Utc::now().trunc_subsecs(6);
    store.finish_attachment("f1", true, now).await.unwrap();
    let done = store.attachment_by_owner_key([3; 32]).await.unwrap().unwrap();
    assert_eq!((done.complete, done.completed_at, done.kind), (true, Some(now), DocumentKind::Pdf));
    store.finish_attachment("f1", false, now).await.unwrap();
    assert!(store.attachment("f1").await.unwrap().is_some(), "a complete upload is never discarded");
    let chunks = store.chunks("f1").await.unwrap();
    assert_eq!(chunks.iter().map(|(o, s)| (*o, s.len())).collect::<Vec<_>>(), [(0, 4), (4, 6)]);

    let mut with_file = crate::store::app("key-1", "a1", "T-1");
    with_file.attachments = vec![NewLink { material_code: "hukoubu".into(), attachment_id: "f1".into(), reused: false }];
    assert!(matches!(store.create_application(with_file).await.unwrap(), Written::Created(_)));
    let linked = store.application_attachments("a1").await.unwrap();
    assert_eq!((linked.len(), linked[0].material_code.as_str(), linked[0].attachment.id.as_str()), (1, "hukoubu", "f1"));
    let since = now - Duration::days(30);
    assert_eq!(store.held_for_applicant([2; 32], [4; 32], since).await.unwrap().map(|r| r.id), Some("f1".into()));
    assert!(store.held_for_applicant([9; 32], [4; 32], since).await.unwrap().is_none());
    let reusable = store.reusable_uploads([2; 32], since).await.unwrap();
    assert_eq!((reusable.len(), reusable[0].0.as_str()), (1, "hukoubu"));

    store.add_result_document(NewResultDocument {
        id: "d1".into(),
        application_id: "a1".into(),
        attachment_id: "f1".into(),
        title: "准予登记通知书".into(),
        copies_allowed: 2,
        attached_by: "li".into(),
        attached_at: now,
    }).await.unwrap();
    assert_eq!(store.record_print("d1", "k1", now).await.unwrap(), Some(1));
    assert_eq!(store.record_print("d1", "k2", now).await.unwrap(), Some(2));
    assert_eq!(store.record_print("d1", "k1", now).await.unwrap(), None, "the copy limit");
    assert_eq!(store.record_print("nope", "k1", now).await.unwrap(), None);
    let doc = store.result_document("d1").await.unwrap().unwrap();
    assert_eq!((doc.prints.len(), doc.copies_allowed, doc.attachment.id.as_str()), (2, 2, "f1"));
    assert_eq!(store.result_documents("a1").await.unwrap().len(), 1);
    assert_eq!(store.result_documents_of([2; 32]).await.unwrap().len(), 1);
    assert!(store.result_documents_of([9; 32]).await.unwrap().is_empty());

    // A copy given back (the kiosk's printer did not print it) is printable again, under a
    // new number; only the kiosk that took it gives it back, and only once.
    assert!(!store.print_failed("d1", 2, "k1", "paperOut", now).await.unwrap(), "k2 took copy 2");
    assert!(!store.print_failed("d1", 9, "k2", "paperOut", now).await.unwrap(), "no copy 9");
    assert!(store.print_failed("d1", 2, "k2", "paperOut", now).await.unwrap());
    assert!(!store.print_failed("d1", 2, "k2", "paperOut", now).await.unwrap(), "given back once");
    let doc = store.result_document("d1").await.unwrap().unwrap();
    assert_eq!(doc.prints, vec![("k1".to_owned(), now)]);
    assert_eq!(doc.failed_prints, vec![("k2".to_owned(), now, "paperOut".to_owned())]);
    assert_eq!(store.record_print("d1", "k1", now).await.unwrap(), Some(3));
    assert_eq!(store.record_print("d1", "k1", now).await.unwrap(), None, "the limit again");
});
