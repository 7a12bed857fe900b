using DiceRoller.Initiative;
using DiceRoller.Shared;

namespace DiceRoller.Tests.Initiative;

/// <summary>The pure rules of the initiative tracker: order, ties, the turn pointer, edits, removal and the DM's bounds.</summary>
public sealed class InitiativeRulesTests
{
    /// <summary>The clock of the rules (milliseconds): claims are taken and judged against it.</summary>
    private const long T0 = 1_000_000;

    private static InitiativeEntry Player(string name, int total, int bonus = 0, string? rollId = null) =>
        new(name.ToLowerInvariant(), name, total, bonus, IsMonster: false, "p-" + name, rollId ?? "r-" + name, Hidden: false, Order: 0);

    private static InitiativeEntry Monster(string name, int total, int bonus = 0, bool hidden = false) =>
        new(name.ToLowerInvariant().Replace(' ', '-'), name, total, bonus, IsMonster: true, "p-Dee", "r-" + name, hidden, Order: 0);

    private static Encounter With(params InitiativeEntry[] entries) => Ok(InitiativeRules.Add(InitiativeRules.Start("p-Dee", 1, 1), entries, T0));

    private static Encounter Ok(Result<Encounter> result)
    {
        Assert.Null(result.Error);
        return result.Value!;
    }

    private static string[] Names(Encounter encounter) => [.. encounter.Entries.Select(e => e.Name)];

    [Fact]
    public void Higher_total_goes_first_then_higher_bonus_then_roll_off_then_who_came_first()
    {
        var encounter = With(Player("Bob", 12, 1), Player("Ann", 15, 0), Player("Cid", 12, 3), Player("Dan", 12, 1), Player("Eve", 12, 1));
        encounter = InitiativeRules.RecordRollOffs(encounter, new Dictionary<string, int> { ["dan"] = 18, ["bob"] = 4 });

        Assert.Equal(["Ann", "Cid", "Dan", "Bob", "Eve"], Names(encounter));
    }

    [Fact]
    public void Equal_total_and_bonus_need_a_roll_off_and_a_different_bonus_does_not()
    {
        var encounter = With(Player("Bob", 12, 1), Player("Ann", 12, 2), Player("Cid", 12, 1), Player("Dan", 9, 1));

        Assert.Equal(["Bob", "Cid"], InitiativeRules.NeedingRollOff(encounter).Select(e => e.Name));
    }

    [Fact]
    public void A_roll_off_that_ties_again_is_rolled_again_by_the_tied_ones_only()
    {
        var encounter = With(Player("Bob", 12), Player("Ann", 12), Player("Cid", 12));
        encounter = InitiativeRules.RecordRollOffs(encounter, new Dictionary<string, int> { ["bob"] = 7, ["ann"] = 7, ["cid"] = 15 });

        Assert.Equal(["Bob", "Ann"], InitiativeRules.NeedingRollOff(encounter).Select(e => e.Name));
        encounter = InitiativeRules.RecordRollOffs(encounter, new Dictionary<string, int> { ["bob"] = 3, ["ann"] = 11 });
        Assert.Empty(InitiativeRules.NeedingRollOff(encounter));
        Assert.Equal(["Cid", "Ann", "Bob"], Names(encounter));
    }

    [Fact]
    public void Next_starts_the_first_turn_walks_the_order_and_counts_a_new_round_after_the_last()
    {
        var encounter = With(Player("Bob", 15), Player("Ann", 10));
        Assert.Null(encounter.Current);

        encounter = Ok(InitiativeRules.Next(encounter));
        Assert.Equal(("Bob", 1), (encounter.Current!.Name, encounter.Round));
        encounter = Ok(InitiativeRules.Next(encounter));
        Assert.Equal(("Ann", 1), (encounter.Current!.Name, encounter.Round));
        encounter = Ok(InitiativeRules.Next(encounter));
        Assert.Equal(("Bob", 2), (encounter.Current!.Name, encounter.Round));
        Assert.Equal("Round 2: Bob's turn", encounter.TurnText(e => e.Name));
        Assert.Equal(3, encounter.TurnChanges);
    }

    [Fact]
    public void Previous_goes_back_across_rounds_but_not_before_round_one()
    {
        var encounter = Ok(InitiativeRules.Next(Ok(InitiativeRules.Next(Ok(InitiativeRules.Next(With(Player("Bob", 15), Player("Ann", 10))))))));
        Assert.Equal(2, encounter.Round);

        encounter = Ok(InitiativeRules.Previous(encounter));
        Assert.Equal(("Ann", 1), (encounter.Current!.Name, encounter.Round));
        encounter = Ok(InitiativeRules.Previous(encounter));
        Assert.Equal(("Bob", 1), (encounter.Current!.Name, encounter.Round));

        var refused = InitiativeRules.Previous(encounter);
        Assert.Equal(ErrorCodes.InvalidInitiative, refused.Error!.Code);
        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Previous(With(Player("Bob", 3))).Error!.Code);
    }

    [Fact]
    public void Next_with_nobody_in_the_order_is_refused()
    {
        var result = InitiativeRules.Next(InitiativeRules.Start("p-Dee", 1, 1));

        Assert.Equal(ErrorCodes.InvalidInitiative, result.Error!.Code);
        Assert.Contains("Nobody", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_entry_keeps_whose_turn_it_is()
    {
        var encounter = Ok(InitiativeRules.Next(With(Player("Bob", 10), Player("Ann", 5))));

        encounter = Ok(InitiativeRules.Add(encounter, [Monster("Ogre", 18)], T0));

        Assert.Equal("Bob", encounter.Current!.Name);
        Assert.Equal(["Ogre", "Bob", "Ann"], Names(encounter));
    }

    [Fact]
    public void Removing_the_current_entry_passes_the_turn_on_and_the_last_one_starts_the_next_round()
    {
        var encounter = Ok(InitiativeRules.Next(With(Player("Bob", 15), Player("Ann", 10), Player("Cid", 5))));

        var passed = Ok(InitiativeRules.Remove(encounter, "bob"));
        Assert.Equal(("Ann", 1), (passed.Current!.Name, passed.Round));

        var last = Ok(InitiativeRules.Next(Ok(InitiativeRules.Next(encounter))));
        var wrapped = Ok(InitiativeRules.Remove(last, "cid"));
        Assert.Equal(("Bob", 2), (wrapped.Current!.Name, wrapped.Round));

        var other = Ok(InitiativeRules.Remove(encounter, "cid"));
        Assert.Equal("Bob", other.Current!.Name);
        Assert.Equal(ErrorCodes.EntryNotFound, InitiativeRules.Remove(encounter, "nobody").Error!.Code);
    }

    [Fact]
    public void Players_who_are_no_longer_members_drop_out_and_their_turn_passes_on_but_monsters_stay()
    {
        var encounter = Ok(InitiativeRules.Next(With(Player("Bob", 15), Monster("Goblin", 12), Player("Ann", 10))));

        var without = InitiativeRules.WithoutAbsent(encounter, ["p-Ann", "p-Dee"]);

        Assert.Equal(["Goblin", "Ann"], Names(without));
        Assert.Equal("Goblin", without.Current!.Name);
        Assert.Same(encounter, InitiativeRules.WithoutAbsent(encounter, ["p-Bob", "p-Ann"]));
    }

    [Fact]
    public void A_player_already_in_the_order_cannot_enter_twice()
    {
        var encounter = With(Player("Bob", 15));

        var again = InitiativeRules.Add(encounter, [Player("Bob", 3, rollId: "another")], T0);

        Assert.Equal(ErrorCodes.InvalidInitiative, again.Error!.Code);
        Assert.Contains("15", again.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encounter_holds_a_bounded_number_of_entries()
    {
        var many = Enumerable.Range(1, InitiativeRules.MaxEntries).Select(i => Monster($"Rat {i}", i)).ToArray();
        var full = With(many);

        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Add(full, [Monster("Rat 99", 1)], T0).Error!.Code);
    }

    [Fact]
    public void An_edit_resorts_the_order_keeps_the_turn_and_starts_the_roll_off_over()
    {
        var encounter = Ok(InitiativeRules.Next(With(Player("Bob", 15), Player("Ann", 10))));
        encounter = InitiativeRules.RecordRollOffs(encounter, new Dictionary<string, int> { ["ann"] = 9 });

        var edited = Ok(InitiativeRules.Edit(encounter, "ann", 20, null));

        Assert.Equal(["Ann", "Bob"], Names(edited));
        Assert.Equal("Bob", edited.Current!.Name);
        Assert.Null(edited.Find("ann")!.RollOff);
        Assert.Null(edited.Find("ann")!.RollId); // a typed total is the DM's, not the roll's
        var bonus = Ok(InitiativeRules.Edit(encounter, "ann", null, 4));
        Assert.Equal((10, 4, "r-Ann"), (bonus.Find("ann")!.Total, bonus.Find("ann")!.Bonus, bonus.Find("ann")!.RollId));
    }

    [Theory]
    [InlineData(100, null)]
    [InlineData(-41, null)]
    [InlineData(null, 31)]
    [InlineData(null, -21)]
    [InlineData(null, null)]
    public void An_edit_out_of_bounds_or_empty_is_refused(int? total, int? bonus)
    {
        var encounter = With(Player("Bob", 15));

        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Edit(encounter, "bob", total, bonus).Error!.Code);
        Assert.Equal(ErrorCodes.EntryNotFound, InitiativeRules.Edit(encounter, "nobody", 3, null).Error!.Code);
    }

    [Fact]
    public void A_hidden_entrys_edited_total_stays_hidden_until_its_roll_is_revealed()
    {
        var encounter = With(Monster("Goblin", 12, hidden: true), Player("Bob", 10));

        var edited = InitiativeRules.Edit(encounter, "goblin", total: 21, bonus: null).Value!;

        var goblin = edited.Entries.Single(e => e.Name == "Goblin");
        Assert.True(goblin.Hidden);
        Assert.Equal(21, goblin.Total);
        var revealed = InitiativeRules.Reveal(edited, "r-Goblin")!.Entries.Single(e => e.Name == "Goblin");
        Assert.False(revealed.Hidden);
        Assert.Equal(21, revealed.Total);
    }

    [Fact]
    public void Revealing_a_hidden_roll_shows_its_entry_and_other_rolls_change_nothing()
    {
        var encounter = With(Monster("Goblin", 12, hidden: true));

        Assert.False(InitiativeRules.Reveal(encounter, "r-Goblin")!.Entries.Single().Hidden);
        Assert.Null(InitiativeRules.Reveal(encounter, "r-unrelated"));
    }

    [Theory]
    [InlineData("", "Give the monster a name")]
    [InlineData("   ", "Give the monster a name")]
    [InlineData("A name far too long for any monster", "at most 24")]
    [InlineData("Gob\u0000lin", "plain text")]
    [InlineData("Goblin #2", "plain text")]
    [InlineData("Evil\u202Egob", "plain text")]
    [InlineData("Orc\u200B", "plain text")]
    [InlineData("<script>x", "start with a letter")]
    [InlineData("\U0001F409 Drake", "start with a letter")]
    [InlineData("@Orc", "start with a letter")]
    [InlineData("_Boss", "start with a letter")]
    public void Bad_monster_names_are_refused_with_a_reason(string name, string reason)
    {
        var result = InitiativeRules.ReadName(name);

        Assert.Equal(ErrorCodes.InvalidInitiative, result.Error!.Code);
        Assert.Contains(reason, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_monster_name_is_trimmed_and_its_spaces_collapsed()
    {
        Assert.Equal("Dire Wolf", InitiativeRules.ReadName("  Dire   Wolf ").Value);
    }

    [Theory]
    [InlineData("-20", -20)]
    [InlineData("30", 30)]
    [InlineData("+5", 5)]
    [InlineData("", 0)]
    public void Bonuses_within_bounds_are_read(string text, int expected)
    {
        Assert.Equal(expected, InitiativeRules.ReadNumber(text, InitiativeRules.MinBonus, InitiativeRules.MaxBonus, 0, "bad").Value);
    }

    [Theory]
    [InlineData("-21")]
    [InlineData("31")]
    [InlineData("99999999999")]
    [InlineData("2.5")]
    [InlineData("five")]
    public void Bonuses_out_of_bounds_or_not_whole_numbers_are_refused(string text)
    {
        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.ReadNumber(text, InitiativeRules.MinBonus, InitiativeRules.MaxBonus, 0, "bad").Error!.Code);
    }

    [Fact]
    public void Monsters_are_numbered_and_skip_names_already_taken()
    {
        Assert.Equal(["Goblin 1", "Goblin 2", "Goblin 3"], InitiativeRules.MonsterNames("Goblin", 3, []));
        Assert.Equal(["Ogre"], InitiativeRules.MonsterNames("Ogre", 1, ["Goblin 1"]));
        Assert.Equal(["Goblin 3", "Goblin 4"], InitiativeRules.MonsterNames("Goblin", 2, ["Goblin 1", "goblin 2"]));
        Assert.Equal(["Ogre 1"], InitiativeRules.MonsterNames("Ogre", 1, ["Ogre"]));
    }
}
