//! A mono 16-bit PCM clip and what can be done to it without a sound card.

/// Mono, signed 16-bit samples at `rate` samples a second.
#[derive(Clone, PartialEq, Eq)]
pub struct Clip {
    /// Samples a second.
    pub rate: u32,
    /// The samples.
    pub samples: Vec<i16>,
}

impl std::fmt::Debug for Clip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clip({} Hz, {} ms)", self.rate, self.millis())
    }
}

impl Clip {
    /// A sine tone (the selftest's beep): `hz` for `millis` ms at `rate`, at a third of full
    /// scale, with 10 ms fades so it does not click.
    pub fn tone(hz: u32, millis: u32, rate: u32) -> Clip {
        let n = (u64::from(rate) * u64::from(millis) / 1000) as usize;
        let fade = (rate as usize / 100).max(1);
        let samples = (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let edge = i.min(n - 1 - i).min(fade) as f64 / fade as f64;
                let v = (2.0 * std::f64::consts::PI * f64::from(hz) * t).sin() * edge;
                (v * f64::from(i16::MAX) / 3.0) as i16
            })
            .collect();
        Clip { rate, samples }
    }

    /// How long it plays.
    pub fn millis(&self) -> u64 {
        if self.rate == 0 {
            return 0;
        }
        self.samples.len() as u64 * 1000 / u64::from(self.rate)
    }

    /// The clip scaled to `percent` of its loudness (0 = silent, 100 = as recorded).
    pub fn at_volume(&self, percent: u8) -> Clip {
        let gain = i32::from(percent.min(100));
        Clip {
            rate: self.rate,
            samples: self
                .samples
                .iter()
                .map(|&s| (i32::from(s) * gain / 100) as i16)
                .collect(),
        }
    }

    /// The clip at another rate (linear interpolation: plenty for speech and beeps, and only
    /// needed when the sound card cannot take the clip's own rate).
    pub fn resampled(&self, rate: u32) -> Clip {
        if rate == self.rate || self.samples.is_empty() || self.rate == 0 || rate == 0 {
            return Clip {
                rate: if self.rate == 0 { rate } else { self.rate },
                samples: self.samples.clone(),
            };
        }
        let n = (self.samples.len() as u64 * u64::from(rate) / u64::from(self.rate)) as usize;
        let step = f64::from(self.rate) / f64::from(rate);
        let last = self.samples.len() - 1;
        let samples = (0..n)
            .map(|i| {
                let x = i as f64 * step;
                let at = (x as usize).min(last);
                let next = (at + 1).min(last);
                let frac = x - at as f64;
                let a = f64::from(self.samples[at]);
                let b = f64::from(self.samples[next]);
                (a + (b - a) * frac) as i16
            })
            .collect();
        Clip { rate, samples }
    }

    /// The root-mean-square level, 0–32767 (silence is 0): what tests check to tell speech
    /// from silence.
    pub fn rms(&self) -> f64 {
        rms(&self.samples)
    }
}

/// The root-mean-square of samples.
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_lasts_as_asked_and_is_not_silent() {
        let beep = Clip::tone(880, 500, 22_050);
        assert_eq!(beep.millis(), 500);
        assert!(beep.rms() > 5_000.0, "{}", beep.rms());
        assert!(beep.samples[0].abs() < 100, "faded in");
    }

    #[test]
    fn volume_scales_and_zero_is_silence() {
        let beep = Clip::tone(440, 100, 8_000);
        let half = beep.at_volume(50);
        assert!((half.rms() * 2.0 - beep.rms()).abs() < beep.rms() * 0.02);
        assert_eq!(beep.at_volume(0).rms(), 0.0);
        assert_eq!(beep.at_volume(250), beep, "above 100 % is 100 %");
    }

    #[test]
    fn resampling_keeps_the_length_in_time() {
        let beep = Clip::tone(440, 300, 22_050);
        let up = beep.resampled(48_000);
        assert_eq!(up.rate, 48_000);
        assert!((up.millis() as i64 - 300).abs() <= 1, "{}", up.millis());
        assert!((up.rms() - beep.rms()).abs() < beep.rms() * 0.05);
    }
}
