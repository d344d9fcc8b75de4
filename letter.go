package lindungi

// CheckRecommendation says whether the district may issue a worker a
// recommendation letter (surat rekomendasi) now: the letter states that the
// worker is a registered prospective migrant worker whose registration was
// verified, so only a registered worker whose journey is past verification
// and still before departure (Phase "before", not closed) gets one.
// ECONFLICT, in words, otherwise.
func CheckRecommendation(w Worker) error {
	switch {
	case w.JourneyStep == "":
		return Errorf(ECONFLICT, "A recommendation letter is for registered workers; this record is provisional.")
	case w.JourneyStep == StepOutreach || w.JourneyStep == StepRegistered:
		return Errorf(ECONFLICT, "The worker's registration is not verified yet: no recommendation letter before it is.")
	case w.JourneyStep == StepClosed || w.JourneyStep == StepDeparted || w.JourneyStep.Phase() != PhaseBefore:
		return Errorf(ECONFLICT, "The worker's journey is past departure or closed: a recommendation letter is for prospective workers.")
	}
	return nil
}
