// Package engage summarises a community's engagement for the report and the
// outreach exports: listening (survey concerns by place, ReadListening),
// turnout (sign-ups and attendance by place, segment and event,
// ReadTurnout) and the follow-up loop (attendance rows matched to the
// contact list, each event's reminder, confirmation and no-show lists:
// Matcher). It reads through the readers of pipeline/source and places
// people with pipeline/place/contact.
package engage
