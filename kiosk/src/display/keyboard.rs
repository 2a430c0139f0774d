//! The on-screen keyboard: letters go into the pinyin composition (candidates from
//! [`PinyinIme`]), anything else into the box being typed into; every change of the box's
//! text goes to the session at once (so validation shows while typing).

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::ime::PinyinIme;
use kiosk_ui::screen::keyboard::KeyboardMode;
use slint::{ComponentHandle, SharedString};

use super::frontend::{on0, on1, Frontend};

/// Wires the keyboard: keys, pinyin candidates, mode, done.
pub(super) fn connect(f: &Rc<Frontend>) {
    let kb = f.app.global::<ui::KeyboardAdapter<'_>>();
    kb.on_key(on1(f, |f, key: SharedString| {
        let pinyin = f.local.borrow().keyboard.mode == KeyboardMode::Pinyin;
        if pinyin && key.chars().all(|c| c.is_ascii_lowercase()) {
            let mut local = f.local.borrow_mut();
            local.keyboard.composition.push_str(&key);
            local.candidate_page = 0;
            drop(local);
            f.refresh_candidates();
            f.redraw();
            return;
        }
        let first = f.local.borrow().keyboard.candidates.first().cloned();
        if pinyin && key == " " && !f.local.borrow().keyboard.composition.is_empty() {
            if let Some(first) = first {
                let mut local = f.local.borrow_mut();
                local.keyboard.composition =
                    PinyinIme.remainder_after(&local.keyboard.composition, &first);
                drop(local);
                f.commit_text(&first);
            }
        } else {
            f.commit_text(&key);
        }
        f.typed();
        // A number, date or ID number typed in full: on to the next field to type.
        if super::screen::form::after_key(f) {
            f.redraw();
        }
    }));
    kb.on_backspace(on0(f, |f| {
        let mut local = f.local.borrow_mut();
        if local.keyboard.composition.pop().is_none() {
            if local.searching {
                local.query.pop();
            } else if let Some((_, t)) = local.editing.as_mut() {
                t.pop();
            }
        }
        drop(local);
        f.typed();
    }));
    kb.on_candidate(on1(f, |f, i: i32| {
        let chosen = usize::try_from(i)
            .ok()
            .and_then(|i| f.local.borrow().keyboard.candidates.get(i).cloned());
        let Some(c) = chosen else { return };
        {
            let mut local = f.local.borrow_mut();
            local.keyboard.composition = PinyinIme.remainder_after(&local.keyboard.composition, &c);
            local.candidate_page = 0;
        }
        f.commit_text(&c);
        f.typed();
    }));
    kb.on_next_candidates(on0(f, |f| {
        f.local.borrow_mut().candidate_page += 1;
        f.refresh_candidates();
        f.redraw();
    }));
    kb.on_switch_mode(on1(f, |f, mode: ui::KeyboardMode| {
        let mut local = f.local.borrow_mut();
        local.keyboard.composition.clear();
        local.keyboard.mode = mode;
        drop(local);
        f.refresh_candidates();
        f.redraw();
    }));
    kb.on_done(on0(f, |f| {
        {
            let mut local = f.local.borrow_mut();
            local.keyboard.composition.clear();
            local.searching = false;
            local.editing = None;
        }
        f.redraw();
    }));
}
