"""Forms by audience: the agency's application (`agency`) and the reviewers', experts' and public's (`review`)."""
