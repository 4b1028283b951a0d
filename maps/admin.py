"""Nothing to administer: boundaries are uploaded on campaign's boundaries page."""
