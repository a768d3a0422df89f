// Package checkpoint asks a person at a terminal to decide a checkpoint
// (spec/execution.md §11): the numbered actions on stderr, an answer by
// number, action id or label, the default on an empty line, end of input
// or three wrong answers, and on the checkpoint's timeout.
//
// One Prompter serves a whole run. Prompts are shown one at a time while
// other nodes keep running, and the live display is paused meanwhile.
// Input is read by one long-lived goroutine, one line per request, so a
// prompt that ends by timeout or cancellation never leaves a reader
// behind to take the answer meant for the next one.
package checkpoint
