//! Prompts: WAV files decoded once at load into shared 20 ms G.711 frames, and the
//! playout cursor a call uses to play a playlist of them.
