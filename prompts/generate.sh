#!/usr/bin/env bash
# Regenerates the bundled prompt audio:
#   prompts/zh/<id>.wav   from prompts/zh/prompts.tsv (id, text_zh, gloss_en, pinyin)
#   prompts/music/hold.wav  synthesized hold music
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
#
# Speech: espeak-ng voice cmn-latn-pinyin, fed the PINYIN column (tone numbers 1-5).
# Debian 12's espeak-ng reads tone numbers in English with the plain `cmn` voice; with
# `cmn-latn-pinyin`, Chinese characters mostly work but get polyphones and tones wrong
# (本地 → "ben de", 欢 → a low tone, "1000" → "yi qian", "*" → English "asterisk"), while
# pinyin gives exactly the syllables and tones we write. A row without pinyin falls back
# to the characters, with a warning.
# Each utterance: 22.05 kHz from espeak → 8 kHz mono 16-bit PCM, leading and trailing
# silence trimmed, then exactly 100 ms of silence before and 250 ms after (digits and the
# other words that amounts and dates are made of — num-*, yuan, jiao, fen, negative, month,
# day, morning, afternoon, o-clock: 20 ms and 80 ms, so that they played in a row sound like
# one number), and the peak normalized to -3 dBFS so every prompt has the same loudness.
#
# sox runs with -D (no dither) so that regenerating gives byte-identical files.
#
# Ear-free check: the script fails if espeak-ng's phoneme output (-x) switches to another
# language (an "(en)" marker), and prints each prompt's duration per syllable (Mandarin
# at this speed: roughly 0.15-0.30 s per syllable; English spelling of tone numbers would be
# far longer).
#
# A row whose pinyin column reads `tone:HZ:SECONDS` is a sine tone, not speech (the
# beep before a recording): -6 dBFS, 10 ms fades, 50 ms silence before and after.
#
# Usage: prompts/generate.sh            (from anywhere; writes next to this script)
set -euo pipefail

cd "$(dirname "$0")"
VOICE=cmn-latn-pinyin
SPEED=160          # words per minute (espeak's default 175 is hurried on the phone)
TSV=zh/prompts.tsv

command -v espeak-ng >/dev/null || { echo "espeak-ng is not installed" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tail -n +2 "$TSV" | while IFS= read -r line; do
    [ -n "$line" ] || continue
    id=$(printf '%s' "$line" | cut -f1)
    zh=$(printf '%s' "$line" | cut -f2)
    pinyin=$(printf '%s' "$line" | cut -f4)
    if [[ $pinyin == tone:* ]]; then
        IFS=: read -r _ hz seconds <<<"$pinyin"
        sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "zh/$id.wav" \
            synth "$seconds" sine "$hz" fade q 0.01 "$seconds" 0.01 gain -6 pad 0.05 0.05
        printf '%-10s %6.2f s  tone %s Hz\n' "$id" "$(soxi -D "zh/$id.wav")" "$hz"
        continue
    fi
    text=$pinyin
    if [ -z "$text" ]; then
        echo "warning: $id has no pinyin; speaking the characters" >&2
        text=$zh
    fi
    phonemes=$(espeak-ng -v "$VOICE" -q -x "$text")
    if printf '%s' "$phonemes" | grep -q '(en'; then
        echo "error: $id: espeak-ng switched to English: $phonemes" >&2
        exit 1
    fi
    espeak-ng -v "$VOICE" -s "$SPEED" -w "$tmp/raw.wav" "$text"
    pad="0.1 0.25"
    case $id in   # number words run together into a number
        digit-* | num-* | yuan | jiao | fen | negative \
            | month | day | morning | afternoon | o-clock)
            pad="0.02 0.08" ;;
    esac
    # shellcheck disable=SC2086 # $pad is two numbers
    sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "zh/$id.wav" \
        silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
        pad $pad gain -n -3
    syllables=$(printf '%s' "$phonemes" | grep -o '_|' | wc -l)
    duration=$(soxi -D "zh/$id.wav")
    printf '%-10s %6.2f s  %3d syllables  %.2f s/syllable\n' "$id" "$duration" "$syllables" \
        "$(echo "$duration / $syllables" | bc -l)"
done

# Hold music: a slow I-vi-IV-V progression (C, Am, F, G), 4 s per chord, 16 s in all.
# Pure sines, all notes below 600 Hz: no harmonics near the DTMF frequencies (697 Hz and
# up), so the in-band detector cannot mistake the music for a key. Every chord fades in
# and out, so the file loops without a click. Peak -20 dBFS (RMS about -29 dBFS, some
# 7 dB under the speech prompts): background level.
chord() { # name, three frequencies in Hz
    sox -D -n -r 8000 -c 3 -b 16 "$tmp/$1.wav" synth 4 sine "$2" sine "$3" sine "$4" \
        remix - fade q 0.6 4 0.6 tremolo 0.4 20
}
chord c 261.63 329.63 392.00   # C4 E4 G4
chord am 220.00 261.63 329.63  # A3 C4 E4
chord f 174.61 220.00 261.63   # F3 A3 C4
chord g 196.00 246.94 293.66   # G3 B3 D4
mkdir -p music
sox -D "$tmp/c.wav" "$tmp/am.wav" "$tmp/f.wav" "$tmp/g.wav" -r 8000 -c 1 -b 16 \
    -e signed-integer music/hold.wav gain -n -20
printf '%-10s %6.2f s\n' music/hold "$(soxi -D music/hold.wav)"
