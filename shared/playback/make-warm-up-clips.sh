#!/usr/bin/env bash
# Writes warm-up-clips.ts: 150 ms (flac 60 ms) of a tone in noise, 24 kHz mono, by the real
# encoders (lame, opusenc, flac, ffmpeg's libvorbis). Run again only to change the clips.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sox -n -r 24000 -c 1 -b 16 "$work/clip.wav" synth 0.15 sine 300 synth 0.15 pinknoise mix vol 0.3
sox "$work/clip.wav" "$work/short.wav" trim 0 0.06
lame --quiet -b 48 "$work/clip.wav" "$work/clip.mp3"
opusenc --quiet --bitrate 24 "$work/clip.wav" "$work/clip.opus"
flac -s --no-padding -f -o "$work/clip.flac" "$work/short.wav"
# What a server piping through `ffmpeg -f ogg` sends when asked for opus.
ffmpeg -loglevel error -i "$work/clip.wav" -c:a libvorbis -q:a 0 -fflags +bitexact -flags:a +bitexact "$work/clip.vorbis.ogg"
{
  echo '// Written by make-warm-up-clips.sh (lame, opusenc, flac, ffmpeg): short clips the decoder worker'
  echo '// decodes once at start, base64.'
  for format in mp3 opus flac; do
    echo "export const ${format^^}_CLIP = '$(base64 -w0 "$work/clip.$format")';"
  done
  echo "export const VORBIS_CLIP = '$(base64 -w0 "$work/clip.vorbis.ogg")';"
} > "$here/warm-up-clips.ts"
