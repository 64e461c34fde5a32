"""The example app: a catalogue of categories and products, and customers' orders."""
